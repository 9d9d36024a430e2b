"""Production mode (scripts/run-prod.sh) as a visitor and an operator meet it.

Two Rasa replicas and two action servers behind nginx, conversations in PostgreSQL, locks in
Redis: bursts of concurrent messages keep every conversation whole, a killed replica or dead
action servers do not end a conversation, and the public port serves only the channels.
"""

import os
import signal
import socket
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List

import psycopg2
import pytest
import redis
import requests
import yaml

from conftest import ROOT, texts, wait_for_http

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
ACTIONS_DOWN = "part of my system is restarting"
TOKEN = "prod-test-token"


def free_port_block(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count >= 65535:
            continue
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


class Prod:
    def __init__(self, workdir: Path, model: str):
        self.workdir = workdir
        self.database = f"weho_prod_{uuid.uuid4().hex[:10]}"
        self.redis_prefix = f"prodtest{uuid.uuid4().hex[:8]}"
        base = free_port_block(7)
        self.port, self.admin_port, self.actions_port = base, base + 1, base + 2
        self.rasa_base, self.actions_base = base + 3, base + 5
        self.env = {
            **os.environ,
            "MODEL": model, "PORT": str(self.port), "ADMIN_PORT": str(self.admin_port),
            "ACTIONS_PORT": str(self.actions_port), "RASA_BASE_PORT": str(self.rasa_base),
            "ACTIONS_BASE_PORT": str(self.actions_base), "RASA_REPLICAS": "2", "ACTION_REPLICAS": "2",
            "STATE_DIR": str(workdir / "state"), "POSTGRES_DB": self.database,
            "REDIS_KEY_PREFIX": self.redis_prefix, "RASA_TOKEN": TOKEN,
        }
        self.env.pop("DATABASE_URL", None)
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin = f"http://127.0.0.1:{self.admin_port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Prod":
        self.log = self.workdir / "run-prod.log"
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "run-prod.sh")], cwd=ROOT, env=self.env, start_new_session=True,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
        )
        wait_for_http(f"{self.url}/health", timeout=600, process=self.process, log=self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        admin.autocommit = True
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        admin.close()
        client = redis.StrictRedis(host="127.0.0.1", db=1)
        for key in client.scan_iter(f"{self.redis_prefix}:*"):
            client.delete(key)

    def pid(self, name: str) -> int:
        return int((self.workdir / "state" / "pids" / f"{name}.pid").read_text())

    def say(self, text: str, sender: str) -> requests.Response:
        return requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=90)

    def events(self, sender: str) -> List[Dict]:
        response = requests.get(f"{self.admin}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
        response.raise_for_status()
        return response.json()["events"]


@pytest.fixture(scope="module")
def prod(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prod]:
    # WEHO_TEST_MODEL: test a given model file instead of the current one (which may need training).
    model = os.environ.get("WEHO_TEST_MODEL") or request.getfixturevalue("model_path")
    running = Prod(tmp_path_factory.mktemp("prod"), model)
    try:
        yield running.start()
    finally:
        running.stop()


def test_public_port_serves_only_the_channels(prod: Prod) -> None:
    for path in ("/status", "/model", "/conversations/x/tracker", "/version", "/", "/model/train"):
        assert requests.get(f"{prod.url}{path}", params={"token": TOKEN}, timeout=10).status_code == 404, path
    assert requests.post(f"{prod.url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 404
    # The operators' port is loopback-only and still needs the token.
    assert requests.get(f"{prod.admin}/status", timeout=10).status_code == 401
    assert requests.get(f"{prod.admin}/status", params={"token": TOKEN}, timeout=10).status_code == 200


def test_cors_allows_only_the_configured_origins(prod: Prod) -> None:
    allowed, foreign = "http://localhost:8080", "https://evil.example"
    ok = requests.options(f"{prod.url}/webhooks/rest/webhook", timeout=10,
                          headers={"Origin": allowed, "Access-Control-Request-Method": "POST"})
    assert ok.headers.get("Access-Control-Allow-Origin") == allowed
    denied = requests.options(f"{prod.url}/webhooks/rest/webhook", timeout=10,
                              headers={"Origin": foreign, "Access-Control-Request-Method": "POST"})
    assert denied.headers.get("Access-Control-Allow-Origin") in (None, "")


def test_bad_input_through_nginx_gets_clear_answers(prod: Prod) -> None:
    webhook = f"{prod.url}/webhooks/rest/webhook"
    assert requests.post(webhook, data=b"", timeout=30).status_code == 400
    assert "JSON" in requests.post(webhook, data=b"{nope", timeout=30).json()["error"]
    sender = f"odd-{uuid.uuid4().hex[:8]}"
    for text in ("x" * 100_000, "<b>hi</b>'; DROP TABLE events;--", "\u202e😀\u0000"):
        reply = prod.say(text, sender)
        assert reply.status_code == 200 and texts(reply.json()).strip()
    # Bodies far beyond any chat message stop at nginx.
    assert requests.post(webhook, data=b"x" * 400_000, timeout=30).status_code == 413
    assert RESPONSES["utter_faq/tipping"][0]["text"] in texts(prod.say("do I need to tip?", sender).json())


def test_concurrent_bursts_keep_every_conversation_whole(prod: Prod) -> None:
    questions = [
        "do I need to tip?", "does insurance cover it?", "what is effleurage?",
        "what happens after the session?", "who benefits from medical massage?", "what is skin rolling?",
    ]
    senders = [f"burst-{uuid.uuid4().hex[:8]}" for _ in range(12)]
    jobs = [(sender, f"{question}") for question in questions for sender in senders]
    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(lambda job: prod.say(job[1], job[0]).status_code, jobs))
    assert statuses == [200] * len(jobs)
    for sender in senders:
        events = prod.events(sender)
        assert [e["event"] for e in events].count("session_started") == 1, sender
        said = sorted(e["text"] for e in events if e["event"] == "user")
        assert said == sorted(questions), sender  # none lost, none doubled
        assert sum(e["event"] == "bot" for e in events) >= len(questions), sender


def test_a_replica_killed_mid_conversation_does_not_end_it(prod: Prod) -> None:
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    assert "insur" in texts(prod.say("does insurance cover medical massage?", sender).json()).lower()
    os.kill(prod.pid("rasa-0"), signal.SIGKILL)
    follow_up = prod.say("tell me more", sender)
    assert follow_up.status_code == 200
    # The other replica knew the topic: the conversation's state lives in PostgreSQL.
    assert RESPONSES["utter_faq_more_insurance"][0]["text"] in texts(follow_up.json())
    for question in ("do I need to tip?", "what is kneading?", "thanks"):
        assert prod.say(question, sender).status_code == 200
    # The supervisor starts the killed replica again.
    deadline = time.monotonic() + 30
    while "Rasa replica 0 exited; restarting it" not in prod.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the killed replica was not restarted"
        time.sleep(1)


def test_the_bot_apologises_while_action_servers_are_down_and_recovers(prod: Prod) -> None:
    sender = f"actions-{uuid.uuid4().hex[:8]}"
    for name in ("actions-0", "actions-1"):
        os.kill(prod.pid(name), signal.SIGKILL)
    reply = prod.say("do I need to tip?", sender)
    assert reply.status_code == 200
    assert ACTIONS_DOWN in texts(reply.json())
    # The supervisor restarts them; the same conversation then gets its answer.
    for port in (prod.actions_base, prod.actions_base + 1):
        wait_for_http(f"http://127.0.0.1:{port}/health", timeout=300)
    time.sleep(6)  # nginx retries a failed server after its fail_timeout
    assert RESPONSES["utter_faq/tipping"][0]["text"] in texts(prod.say("do I need to tip?", sender).json())
