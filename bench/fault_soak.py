"""`make bench`'s fault soak: visitors talk to production mode while its parts fail at random.

    python -m bench.fault_soak --model models/<model>.tar.gz [--minutes 10] [--visitors 30]

Starts a private PostgreSQL (initdb into a temporary folder, its own port) and a private Redis,
so that restarting them touches nothing else on the machine, and `scripts/run-prod.sh` on them
(2 Rasa replicas, 2 action servers, nginx). Visitors ask FAQ questions and book massages, with
think time between messages, each message with its own `message_id`. A visitor whose message got
no answer (timeout, connection error, nginx's "restarting") sends it again with the same id, as
a client that does not know whether it arrived; one told the turn failed (an apology) types it
again, a new message. Meanwhile, one fault at a time, at random: a replica or an action server
paused (SIGSTOP, then SIGCONT after 2-20 s unless the supervisor has killed it as hung) or killed
(SIGKILL), PostgreSQL restarted, Redis restarted; the next fault waits until every server
answers its health check again.

It prints turns, the longest wait for an answer, turns lost (answered but not in the
conversation, or never answered), turns duplicated (one message id twice in a conversation), and
bookings lost (confirmed to a visitor, not in the database) or doubled (in the database, never
confirmed, or twice for one visitor and time).
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, List

import psycopg2
import requests

from bench.booking_visitor import BookingVisitor, texts
from bench.ports import free_port, free_port_block
from bench.prod_access import REST_AUTH, REST_CREDENTIALS, UNLIMITED
from massage import clock

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]) if glob.glob("/usr/lib/postgresql/*/bin") else None
# Replies that say the turn failed: the visitor was told, and types the message again.
APOLOGIES = ("Sorry, something went wrong on my side", "part of my system is restarting")
RESTARTING = "Sorry, I am restarting"  # nginx: no replica answered; the message may still be handled
GIVE_UP_SECONDS = 120  # a message unanswered this long (all retries) is lost
REQUEST_TIMEOUT_SECONDS = 30
QUESTIONS = [
    "do I need to tip?", "does insurance cover medical massage?", "tell me more", "what is effleurage?",
    "what happens after the session?", "who benefits from medical massage?", "what is skin rolling?",
    "what's the difference between medical and regular massage?", "how much does a session cost?", "thanks",
]


def as_postgres_user() -> List[str]:
    """PostgreSQL refuses to run as root: run its commands as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "postgres"
        self.port = free_port()

    def _ctl(self, *args: str) -> None:
        subprocess.run([*as_postgres_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-w", "-t", "60", *args],
                       check=True, stdout=subprocess.DEVNULL)

    def start(self) -> PrivatePostgres:
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run([*as_postgres_user(), str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "postgres",
                        "--auth=trust"], check=True, stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._ctl("-l", str(self.dir / "server.log"), "-o", options, "start")
        return self

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "stop")


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode:
            assert time.monotonic() < deadline, "redis did not start"
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()


class ProductionMode:
    """scripts/run-prod.sh on the private PostgreSQL and Redis."""

    def __init__(self, workdir: Path, model: str, postgres: PrivatePostgres, redis: PrivateRedis) -> None:
        base = free_port_block(7)
        self.workdir = workdir
        self.url = f"http://127.0.0.1:{base}"
        self.health = {"rasa-0": f"http://127.0.0.1:{base + 3}/", "rasa-1": f"http://127.0.0.1:{base + 4}/",
                       "actions-0": f"http://127.0.0.1:{base + 5}/health",
                       "actions-1": f"http://127.0.0.1:{base + 6}/health"}
        self.env = {
            **os.environ, "MODEL": model, "PORT": str(base), "ADMIN_PORT": str(base + 1), "ACTIONS_PORT": str(base + 2),
            "RASA_BASE_PORT": str(base + 3), "ACTIONS_BASE_PORT": str(base + 5), "STATE_DIR": str(workdir / "state"),
            "POSTGRES_PORT": str(postgres.port), "POSTGRES_DB": "weho", "REDIS_PORT": str(redis.port), "REDIS_DB": "0",
            "RASA_TOKEN": secrets.token_urlsafe(16), **REST_CREDENTIALS, **UNLIMITED,
        }
        self.env.pop("DATABASE_URL", None)
        self.database = {"host": "127.0.0.1", "port": postgres.port, "user": "postgres", "dbname": "weho"}
        self.log = workdir / "run-prod.log"

    def start(self) -> ProductionMode:
        self.process = subprocess.Popen([str(ROOT / "scripts" / "run-prod.sh")], cwd=ROOT, env=self.env,
                                        start_new_session=True, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 900
        while not self.answers(f"{self.url}/health"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"production mode did not start; see {self.log}")
            time.sleep(1)
        return self

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    def pid(self, server: str) -> int:
        return int((self.workdir / "state" / "pids" / f"{server}.pid").read_text())

    @staticmethod
    def answers(url: str) -> bool:
        try:
            return requests.get(url, timeout=3).status_code < 500
        except requests.RequestException:
            return False

    def all_healthy(self) -> bool:
        return all(self.answers(url) for url in self.health.values())


@dataclass
class Sent:
    """One message as the visitor meant it: its id, how long until a real answer, and the outcome."""

    message_id: str
    text: str
    waited: float = 0.0
    answered: bool = False
    retries: int = 0


class SoakVisitor(BookingVisitor):
    def __init__(self, prod: ProductionMode, index: int, deadline: float, run_id: str, think: Callable[[], float]):
        super().__init__(index, f"soak-{run_id}-{index:02d}", deadline)
        self.prod = prod
        self.think = think
        self.sent: List[Sent] = []
        self.unanswered: List[Sent] = []  # given up on after GIVE_UP_SECONDS
        self.apologies = 0
        self.http = requests.Session()
        self.http.headers.update(REST_AUTH)

    def run(self) -> None:
        """FAQ questions and bookings until the deadline (a booking the bot derailed is left, as a
        visitor would leave it: noted in `problems`)."""
        attempt = 0
        while time.monotonic() < self.deadline:
            if self.random.random() < 0.5:
                for question in self.random.sample(QUESTIONS, 3):
                    if time.monotonic() >= self.deadline or self.say(question) is None:
                        break
            else:
                # Each visitor's own times: bookings compete for therapists, not for one slot.
                day = (clock.now() + timedelta(days=2 + self.index + 30 * attempt)).date()
                self.book(datetime(day.year, day.month, day.day, 10 + attempt % 6, tzinfo=clock.LA))
                attempt += 1

    def say(self, text: str) -> List[Dict] | None:
        """Sends until a real answer comes (same id while the outcome is unknown, a new message
        after an apology); None if none came within GIVE_UP_SECONDS."""
        time.sleep(self.think())
        started = time.monotonic()
        sent = Sent(uuid.uuid4().hex, text)
        self.sent.append(sent)
        while time.monotonic() - started < GIVE_UP_SECONDS:
            try:
                reply = self.http.post(f"{self.prod.url}/webhooks/rest/webhook", timeout=REQUEST_TIMEOUT_SECONDS,
                                       json={"sender": self.sender, "message": text, "message_id": sent.message_id})
                said = texts(reply.json()) if reply.status_code in (200, 503) else ""
            except (requests.RequestException, ValueError):
                reply, said = None, ""
            if reply is not None and reply.status_code == 200 and not any(a in said for a in APOLOGIES):
                sent.answered, sent.waited = True, time.monotonic() - started
                return reply.json()
            if reply is not None and reply.status_code == 200:
                self.apologies += 1
                sent = Sent(uuid.uuid4().hex, text)  # told it failed: typed again, a new message
                self.sent.append(sent)
            sent.retries += 1
            time.sleep(1)
        self.unanswered.append(sent)
        self.problems.append(f"no answer to {text!r} in {GIVE_UP_SECONDS}s")
        return None


class Faults:
    """One fault at a time, at random, until stopped; each fault waits for a healthy stack."""

    def __init__(self, prod: ProductionMode, postgres: PrivatePostgres, redis: PrivateRedis, every: float,
                 seed: int) -> None:
        self.prod, self.postgres, self.redis, self.every = prod, postgres, redis, every
        self.random = random.Random(seed)
        self.done: List[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.random.uniform(0.5, 1.5) * self.every):
            while not self.prod.all_healthy():
                if self.stopping.wait(2):
                    return
            self.inject()

    def inject(self) -> None:
        server = self.random.choice(list(self.prod.health))
        kind = self.random.choice(["pause", "pause", "kill", "postgres", "redis"])
        if kind == "pause":
            pid, seconds = self.prod.pid(server), self.random.uniform(2, 20)
            self.done.append(f"paused {server} {seconds:.0f}s")
            os.kill(pid, signal.SIGSTOP)
            self.stopping.wait(seconds)
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                self.done[-1] += " (killed as hung)"
        elif kind == "kill":
            self.done.append(f"killed {server}")
            os.kill(self.prod.pid(server), signal.SIGKILL)
        elif kind == "postgres":
            self.done.append("restarted PostgreSQL")
            self.postgres.restart()
        else:
            self.done.append("restarted Redis")
            self.redis.restart()


def stored_turns(prod: ProductionMode, run_id: str) -> Counter:
    """(conversation, message id) -> how many user turns the tracker store holds for it."""
    with psycopg2.connect(**prod.database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT sender_id, data::json->>'message_id' FROM events "
                       "WHERE type_name = 'user' AND sender_id LIKE %s", (f"%soak-{run_id}-%",))
        return Counter((sender.split(":")[-1], message_id) for sender, message_id in cursor.fetchall())


def stored_bookings(prod: ProductionMode, run_id: str) -> List[tuple]:
    with psycopg2.connect(**prod.database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT reference, conversation_id, starts_at FROM bookings "
                       "WHERE status = 'confirmed' AND conversation_id LIKE %s", (f"%soak-{run_id}-%",))
        return cursor.fetchall()


def report(visitors: List[SoakVisitor], faults: Faults, turns: Counter, bookings: List[tuple], minutes: float) -> None:
    sent = [(visitor.sender, message) for visitor in visitors for message in visitor.sent]
    answered = [message for _, message in sent if message.answered]
    waits = sorted(message.waited for message in answered)
    # A message a visitor was answered for but the conversation lacks, or one never answered (given up).
    lost = [m for s, m in sent if m.answered and not turns[(s, m.message_id)]]
    unanswered = [message for visitor in visitors for message in visitor.unanswered]
    duplicated = [key for key, count in turns.items() if count > 1]
    told = Counter(b["reference"] for visitor in visitors for b in visitor.booked)
    stored = Counter(reference for reference, _, _ in bookings)
    per_visit = Counter((conversation, starts_at) for _, conversation, starts_at in bookings)
    print(f"\nfault soak: {len(visitors)} visitors for {minutes:g} min; {len(faults.done)} faults: "
          + "; ".join(faults.done))
    rows = [
        ("turns answered", f"{len(answered)} ({sum(m.retries for _, m in sent)} resends of unanswered messages)"),
        ("longest wait", f"{waits[-1]:.1f} s (p50 {statistics.median(waits):.2f} s, "
                         f"p99 {waits[int(len(waits) * 0.99)]:.2f} s)" if waits else "-"),
        ("apologies (turn failed, visitor told)", str(sum(v.apologies for v in visitors))),
        ("turns lost", f"{len(lost) + len(unanswered)} ({len(lost)} answered but not stored, "
                       f"{len(unanswered)} never answered)"),
        ("turns duplicated", str(len(duplicated))),
        ("bookings confirmed", str(len(told))),
        ("bookings left unfinished (odd replies)", str(sum(len(v.problems) - len(v.unanswered) for v in visitors))),
        ("bookings lost", str(sum(1 for reference in told if not stored[reference]))),
        ("bookings doubled", str(sum(1 for reference in stored if not told[reference])
                                 + sum(count - 1 for count in per_visit.values() if count > 1)
                                 + sum(count - 1 for count in told.values() if count > 1))),
    ]
    for name, value in rows:
        print(f"  {name:<40} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--fault-every", type=float, default=30, help="mean seconds between faults")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    if PG_BIN is None:
        raise SystemExit("the fault soak needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")

    workdir = Path(tempfile.mkdtemp(prefix="fault-soak-"))
    os.chmod(workdir, 0o755)  # the postgres user reaches its folder inside
    postgres, redis = PrivatePostgres(workdir).start(), PrivateRedis(workdir).start()
    prod = ProductionMode(workdir, args.model, postgres, redis)
    try:
        prod.start()
        run_id = uuid.uuid4().hex[:6]
        think = random.Random(args.seed)
        deadline = time.monotonic() + args.minutes * 60
        visitors = [SoakVisitor(prod, index, deadline, run_id, lambda: think.uniform(1, 5))
                    for index in range(args.visitors)]
        faults = Faults(prod, postgres, redis, args.fault_every, args.seed)
        threads = [threading.Thread(target=visitor.run) for visitor in visitors]
        injector = threading.Thread(target=faults.run)
        for thread in [*threads, injector]:
            thread.start()
        for thread in threads:
            thread.join()
        faults.stopping.set()
        injector.join()
        report(visitors, faults, stored_turns(prod, run_id), stored_bookings(prod, run_id), args.minutes)
    finally:
        prod.stop()
        # The servers' log outlives the temporary folder, to look into what the soak found.
        kept = shutil.copy(prod.log, Path(tempfile.gettempdir()) / f"{workdir.name}.log")
        print(f"  {'servers log':<40} {kept}")
        redis.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
