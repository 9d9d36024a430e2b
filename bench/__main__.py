"""`make bench`: our assistant beside a stock `rasa init` assistant, served from the same venv.

Both are started here as real servers on loopback and driven through the REST channel, in
alternation so that the machine's load changes fall on both alike: per-turn latency (one user,
then 20 concurrent users), throughput, how latency grows over one 50-turn conversation,
training time and the peak memory of the running services. The stock
assistant is trained once per Rasa version into ~/.cache/weho-massage (its training time is
measured then, under a lock so that only one training runs at a time); `--retrain-baseline`
measures it again.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.ports import free_port
from bench.prod_access import UNLIMITED

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RASA_VERSION = subprocess.run([str(BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
                              capture_output=True, text=True, check=True).stdout.strip()
CACHE = Path(os.environ.get("WEHO_CACHE", Path.home() / ".cache" / "weho-massage")) / f"baseline-rasa-{RASA_VERSION}"

OURS = [
    "hi", "do I need to tip?", "does insurance cover medical massage?", "tell me more",
    "what is effleurage?", "what happens after the session?", "who benefits from medical massage?",
    "what's the difference between medical and regular massage?", "what is skin rolling?", "thanks",
]
STOCK = ["hi", "I am sad", "yes", "great", "are you a bot?", "bye", "hello", "very good", "no", "goodbye"]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def baseline_model(retrain: bool) -> tuple[Path, Path, float]:
    """The stock assistant's project folder, model and training seconds (cached per Rasa version)."""
    project, record = CACHE / "project", CACHE / "trained.json"

    with open("/tmp/rasa-train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time on this machine
        if retrain or not record.exists():
            shutil.rmtree(CACHE, ignore_errors=True)
            project.mkdir(parents=True)
            print(f"Training a stock `rasa init` assistant into {project} ...", file=sys.stderr)
            start = time.monotonic()
            subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
                           cwd=project, check=True, capture_output=True)
            seconds = time.monotonic() - start
            model = next((project / "models").glob("*.tar.gz"))
            record.write_text(json.dumps({"model": str(model), "train_seconds": round(seconds, 1)}))
    data = json.loads(record.read_text())
    return project, Path(data["model"]), data["train_seconds"]


def train_ours() -> float:

    with open("/tmp/rasa-train.lock", "w") as lock, tempfile.TemporaryDirectory(prefix="weho-bench-train-") as out:
        fcntl.flock(lock, fcntl.LOCK_EX)
        print("Training our assistant (timed, into a temporary folder) ...", file=sys.stderr)
        start = time.monotonic()
        subprocess.run([str(BIN / "rasa"), "train", "--quiet", "--config", "config.yml", "--domain", "domain.yml",
                        "--data", "data/nlu", "data/rules", "data/stories", "--out", out], cwd=ROOT, check=True,
                       capture_output=True)
        return time.monotonic() - start


def ours_endpoints(workdir: Path, action_url: str) -> Path:
    """endpoints.yml for our assistant as `make run` serves it: the action server at action_url,
    conversations in SQLite (in workdir)."""
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "{action_url}"\n  enable_selective_domain: true\n'
        "tracker_store:\n  type: channels.tracker_store.IncrementalSQLTrackerStore\n"
        f'  dialect: sqlite\n  db: "{workdir / "tracker.db"}"\n'
    )
    return endpoints


@dataclass
class Server:
    name: str
    model: Path
    cwd: Path
    with_actions: bool
    workdir: Path
    processes: list = field(default_factory=list)
    url: str = ""

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{self.workdir / 'massage.db'}",
               "TF_CPP_MIN_LOG_LEVEL": "2",
               # One client sending turns back to back: the limit per address would measure 429s.
               **UNLIMITED}
        credentials = self.workdir / "credentials.yml"
        credentials.write_text("rest:\n" if not self.with_actions else "channels.rest.RestInput:\n")
        if self.with_actions:
            # As scripts/run.sh serves it; the stock assistant runs as `rasa init` leaves it.
            env["FORCE_JSON_LOGGING"] = "1"
            subprocess.run([str(BIN / "python"), "-m", "massage.db", "upgrade"], cwd=ROOT, env=env, check=True)
            action_port = free_port()
            self._spawn([str(BIN / "rasa"), "run", "actions", "--port", str(action_port), "--actions", "actions"],
                        env, "actions.log")
            endpoints = ours_endpoints(self.workdir, f"http://127.0.0.1:{action_port}/webhook")
            # For the Rasa server only, spawned below (scripts/run.sh).
            env.update(TF_INTER_OP_PARALLELISM_THREADS="1", TF_INTRA_OP_PARALLELISM_THREADS="1")
        else:
            endpoints = self.workdir / "endpoints.yml"
            endpoints.write_text("{}\n")  # as `rasa init` leaves it: in-memory tracker store
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._spawn([str(BIN / "rasa"), "run", "--model", str(self.model), "--port", str(port),
                     "--endpoints", str(endpoints), "--credentials", str(credentials)], env, "rasa.log")
        wait_for(f"{self.url}/", self.processes[-1])
        return self

    def _spawn(self, args: list[str], env: dict, log: str) -> None:
        self.processes.append(subprocess.Popen(args, cwd=self.cwd, env=env, stdout=open(self.workdir / log, "wb"),
                                               stderr=subprocess.STDOUT))

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server processes so far (VmHWM), in MB."""
        total = 0
        for process in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def turn(self, sender: str, text: str) -> float:
        start = time.perf_counter()
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 timeout=120)
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        return elapsed * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(servers: dict[str, tuple[Server, list[str]]], users: int, turns: int, rounds: int = 2) -> dict:
    """Every figure for every server, taken in alternation (ten turns or one block of concurrent
    users at a time) so that a load change on the machine falls on all of them alike."""
    def conversation(name: str) -> list[float]:
        server, messages = servers[name]
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        return [server.turn(sender, messages[t % len(messages)]) for t in range(turns)]

    one: dict[str, list[float]] = {name: [] for name in servers}
    many: dict[str, list[float]] = {name: [] for name in servers}
    wall: dict[str, float] = {name: 0.0 for name in servers}
    for _ in range(3):  # warm-up
        for name in servers:
            conversation(name)
    for _ in range(2 * rounds):
        for name in servers:
            one[name] += conversation(name)
    for _ in range(rounds):
        for name in servers:
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=users) as pool:
                many[name] += [ms for latencies in pool.map(conversation, [name] * users) for ms in latencies]
            wall[name] += time.perf_counter() - start
    long: dict[str, list[float]] = {name: [] for name in servers}
    senders = {name: f"bench-long-{uuid.uuid4().hex[:8]}" for name in servers}
    for block in range(5):
        for name, (server, messages) in servers.items():
            for t in range(10 * block, 10 * block + 10):
                long[name].append(server.turn(senders[name], messages[t % len(messages)]))
    return {
        name: {
            "p50_1": percentile(one[name], 0.5), "p99_1": percentile(one[name], 0.99),
            "p50_n": percentile(many[name], 0.5), "p99_n": percentile(many[name], 0.99),
            "throughput": len(many[name]) / wall[name],
            "growth": statistics.median(long[name][40:50]) / statistics.median(long[name][0:10]),
            "rss": servers[name][0].peak_rss_mb(),
        }
        for name in servers
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="our trained model (.tar.gz)")
    parser.add_argument("--train-ours", action="store_true", help="also time training our assistant (into a temp dir)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10, help="turns per concurrent user")
    parser.add_argument("--retrain-baseline", action="store_true")
    args = parser.parse_args()

    project, stock_model, stock_train = baseline_model(args.retrain_baseline)
    servers: dict[str, tuple[Server, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="weho-bench-") as tmp:
        try:
            for name, model, cwd, actions, messages in (
                ("stock rasa init", stock_model, project, False, STOCK),
                ("ours", Path(args.model).resolve(), ROOT, True, OURS),
            ):
                workdir = Path(tmp) / name.replace(" ", "-")
                workdir.mkdir()
                print(f"Starting {name} ...", file=sys.stderr)
                servers[name] = (Server(name, model, cwd, actions, workdir).start(), messages)
            print("Measuring both, in alternation ...", file=sys.stderr)
            rows = measure(servers, args.users, args.turns)
        finally:
            for server, _ in servers.values():
                server.stop()
    rows["stock rasa init"]["train"] = stock_train
    rows["ours"]["train"] = train_ours() if args.train_ours else None

    def fmt(value, unit="", digits=0):
        return "n/a" if value is None else f"{value:.{digits}f}{unit}"

    lines = [
        ("per-turn p50, 1 user", "p50_1", " ms", 0),
        ("per-turn p99, 1 user", "p99_1", " ms", 0),
        (f"per-turn p50, {args.users} users", "p50_n", " ms", 0),
        (f"per-turn p99, {args.users} users", "p99_n", " ms", 0),
        (f"throughput, {args.users} users", "throughput", " turns/s", 1),
        ("growth, turns 41-50 / 1-10", "growth", "x", 2),
        ("training time", "train", " s", 0),
        ("peak RSS of the services", "rss", " MB", 0),
    ]
    def ratio(key):
        ours, stock = rows["ours"].get(key), rows["stock rasa init"].get(key)
        return "n/a" if ours is None or not stock else f"{ours / stock:.2f}x"

    names = list(rows)
    print(f"\n{'':32}" + "".join(f"{name:>18}" for name in names) + f"{'ours / stock':>16}")
    for label, key, unit, digits in lines:
        print(f"{label:32}" + "".join(f"{fmt(rows[name].get(key), unit, digits):>18}" for name in names)
              + f"{ratio(key):>16}")
    print(f"\nRasa {RASA_VERSION}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
