"""Production mode (scripts/run-prod.sh) started on free loopback ports with its own PostgreSQL
database and Redis key prefix, for the production-mode tests and the capacity benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Dict, List

import psycopg2
import redis
import requests

from bench.__main__ import ROOT, wait_for
from bench.ports import free_port_block
from bench.prod_access import REST_AUTH, REST_CREDENTIALS, UNLIMITED

TOKEN = "prod-test-token"


class ProdMode:
    def __init__(
        self, workdir: Path, model: str, rasa_replicas: int = 2, action_replicas: int = 2,
        env: Dict[str, str] | None = None,
    ):
        self.workdir = workdir
        self.database = f"weho_prod_{uuid.uuid4().hex[:10]}"
        self.redis_prefix = f"prodtest{uuid.uuid4().hex[:8]}"
        base = free_port_block(5 + rasa_replicas + action_replicas)
        self.port, self.admin_port, self.actions_port = base, base + 1, base + 2
        self.rasa_base, self.actions_base = base + 3, base + 3 + rasa_replicas
        self.console_port = self.actions_base + action_replicas
        self.env = {
            **os.environ,
            "MODEL": model, "PORT": str(self.port), "ADMIN_PORT": str(self.admin_port),
            "ACTIONS_PORT": str(self.actions_port), "RASA_BASE_PORT": str(self.rasa_base),
            "ACTIONS_BASE_PORT": str(self.actions_base), "RASA_REPLICAS": str(rasa_replicas),
            "ACTION_REPLICAS": str(action_replicas), "STATE_DIR": str(workdir / "state"),
            "POSTGRES_DB": self.database, "REDIS_KEY_PREFIX": self.redis_prefix, "RASA_TOKEN": TOKEN,
            # The console over plain HTTP from the tests (a Secure cookie would not come back).
            "CONSOLE_PORT": str(self.console_port), "CONSOLE_BACKEND_PORT": str(self.console_port + 1),
            "CONSOLE_SECURE_COOKIES": "0",
            # Simulated visitors: an integration's credential, all from one address.
            **REST_CREDENTIALS, **UNLIMITED,
            **(env or {}),
        }
        self.env.pop("DATABASE_URL", None)
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin = f"http://127.0.0.1:{self.admin_port}"
        self.log = self.workdir / "run-prod.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> ProdMode:
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "run-prod.sh")], cwd=ROOT, env=self.env, start_new_session=True,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"{self.url}/health", self.process, timeout=900)
        except (RuntimeError, TimeoutError) as error:
            tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-25:])
            raise RuntimeError(f"production mode did not start: {error}\n{tail}") from error
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
        client = redis.StrictRedis(host="127.0.0.1", db=int(self.env.get("REDIS_DB", 1)))
        for key in client.scan_iter(f"{self.redis_prefix}:*"):
            client.delete(key)

    def pid(self, name: str) -> int:
        return int((self.workdir / "state" / "pids" / f"{name}.pid").read_text())

    def say(self, text: str, sender: str) -> requests.Response:
        return requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             headers=REST_AUTH, timeout=90)

    def events(self, sender: str) -> List[Dict]:
        response = requests.get(f"{self.admin}/conversations/rest:{sender}/tracker", params={"token": TOKEN},
                                timeout=30)
        response.raise_for_status()
        return response.json()["events"]
