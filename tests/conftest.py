"""Shared fixtures: the trained model, and a real running stack (action server + Rasa REST)."""

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import psycopg2
import pytest
import requests
from cryptography.fernet import Fernet

from bench.ports import free_port
from bench.prod_access import UNLIMITED
from massage.db import engine_for

ROOT = Path(__file__).resolve().parent.parent
# Health answers are stored encrypted: a key for this test run, handed to every server it starts.
os.environ.setdefault("INTAKE_ENCRYPTION_KEYS", Fernet.generate_key().decode())
BIN = Path(sys.executable).parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def wait_for_http(
    url: str, timeout: float = 120.0, process: subprocess.Popen | None = None, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:]) if log else ""
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered\n{tail}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


# Rate limits per client address (channels.public_access, deploy/nginx.conf.template) too high to reach.
PG_TEST_SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


def postgres_available() -> bool:
    try:
        psycopg2.connect(connect_timeout=2, **PG_TEST_SERVER).close()
        return True
    except psycopg2.OperationalError:
        return False


@contextmanager
def throwaway_database_url(kind: str, sqlite_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or a throwaway schema in PostgreSQL's `test` database, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    admin = psycopg2.connect(**PG_TEST_SERVER)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    try:
        yield url
    finally:
        engine_for(url).dispose()
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def load_fixture(name: str) -> Dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(scope="session")
def model_path() -> str:
    """The project's trained model (trained once, cached by fingerprint); WEHO_TEST_MODEL: a
    given model file instead (the current one may need training)."""
    if os.environ.get("WEHO_TEST_MODEL"):
        return str(Path(os.environ["WEHO_TEST_MODEL"]).resolve())
    out = subprocess.run(
        [str(ROOT / "scripts" / "model.sh")], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return str(ROOT / out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def agent(model_path: str):
    """The trained model loaded in this process, as a Rasa server holds it: loaded once for all
    the test modules that parse or predict with it (a load takes as long as a server start)."""
    from rasa.core.agent import Agent

    return Agent.load(model_path)


class Stack:
    """A running action server and Rasa server, each a real subprocess on loopback."""

    def __init__(
        self,
        workdir: Path,
        model: str,
        credentials: str = "channels.rest.RestInput:\n",
        env: Dict[str, str] | None = None,
        extra_args: List[str] | None = None,
        endpoints: str = "",
    ):
        self.workdir = workdir
        self.endpoints = endpoints  # more of endpoints.yml, e.g. a lock store
        self.extra_args = extra_args or []  # given to both servers, e.g. --logging-config-file
        self.model = model
        self.credentials = credentials
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'massage.db'}",
            "PYTHONPATH": str(ROOT),
            # The suite talks to its stacks from one address faster than a person: the rate limits
            # per address are tested in test_channel_security, on a stack of their own.
            **UNLIMITED,
            **(env or {}),
        }
        self.action_port = free_port()
        self.rasa_port = free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None

    def _spawn(self, args: List[str], log: str) -> subprocess.Popen:
        return subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=open(self.workdir / log, "ab"), stderr=subprocess.STDOUT
        )

    def start_actions(self) -> None:
        self.actions = self._spawn(
            [str(BIN / "rasa"), "run", "actions", "--port", str(self.action_port), "--actions", "actions",
             *self.extra_args],
            "actions.log",
        )
        wait_for_http(
            f"http://127.0.0.1:{self.action_port}/health", process=self.actions, log=self.workdir / "actions.log"
        )

    def start_rasa(self) -> None:
        self.spawn_rasa()
        self.wait_for_rasa()

    def spawn_rasa(self) -> None:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n  enable_selective_domain: true\n'
            "tracker_store:\n  type: channels.tracker_store.IncrementalSQLTrackerStore\n"
            f'  dialect: sqlite\n  db: "{self.workdir / "tracker.db"}"\n' + self.endpoints
        )
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(self.credentials)
        self.rasa = self._spawn(
            [str(BIN / "rasa"), "run", "--model", self.model, "--port", str(self.rasa_port),
             "--endpoints", str(endpoints), "--credentials", str(credentials),
             "--enable-api", "--auth-token", "test-token", *self.extra_args],
            "rasa.log",
        )

    def wait_for_rasa(self) -> None:
        # Generous: on a machine shared by several developers a model can take minutes to load.
        wait_for_http(f"{self.url}/", timeout=600, process=self.rasa, log=self.workdir / "rasa.log")

    def start(self) -> "Stack":
        subprocess.run([str(BIN / "python"), "-m", "massage.db", "upgrade"], cwd=ROOT, env=self.env, check=True)
        self.start_actions()
        self.start_rasa()
        return self

    def start_loading(self) -> "Stack":
        """Starts both servers without waiting for the Rasa server's model: `wait_for_rasa` then."""
        subprocess.run([str(BIN / "python"), "-m", "massage.db", "upgrade"], cwd=ROOT, env=self.env, check=True)
        self.start_actions()
        self.spawn_rasa()
        return self

    @staticmethod
    def _stop(process: subprocess.Popen | None) -> None:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def stop_rasa(self) -> None:
        self._stop(self.rasa)

    def stop_actions(self) -> None:
        self._stop(self.actions)

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    def say(self, text: str, sender: str) -> List[Dict]:
        """Send one message through the REST channel; return the bot's messages."""
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        response.raise_for_status()
        return response.json()


@contextmanager
def running_stack(tmp_path: Path, model: str, **kwargs) -> Iterator[Stack]:
    stack = Stack(tmp_path, model, **kwargs)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def messaging_platforms() -> Iterator[Dict]:
    """Fake Telegram, Messenger and Twilio APIs, recording what the shared stack sends them."""
    from fake_platform import running_platforms  # it imports this module, so not at the top

    with running_platforms() as fakes:
        yield fakes


def needs_the_model(module: List[pytest.Item]) -> bool:
    return any("model_path" in item.fixturenames for item in module)


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Modules that need no model run first, while the shared stack loads its model (it starts
    with the session: `_shared_stack_loading`); module order is kept otherwise."""
    modules: Dict[Path, List[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    items[:] = [item for module in sorted(modules.values(), key=needs_the_model) for item in module]


@pytest.fixture(scope="session")
def _shared_stack_loading(
    model_path: str, messaging_platforms: Dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    from fake_platform import MESSAGING_ENV, messaging_credentials

    loading = Stack(
        tmp_path_factory.mktemp("stack"),
        model_path,
        credentials=messaging_credentials(messaging_platforms),
        env=MESSAGING_ENV,
        extra_args=["--debug", "--logging-config-file", "deploy/logging.yml"],
    )
    try:
        yield loading.start_loading()
    finally:
        loading.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_the_shared_stack_with_the_session(request: pytest.FixtureRequest) -> None:
    """A model load is the longest wait of the suite: the shared stack's starts at once when a
    collected test will use it, and the tests that need no model run meanwhile."""
    if any("stack" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("_shared_stack_loading")


@pytest.fixture(scope="session")
def stack(_shared_stack_loading: Stack) -> Stack:
    """One stack shared by the tests that talk to it, started once: every channel of the shipped
    credentials.messaging.yml (the apps pointed at their fakes), logging as verbosely as it can
    (see test_privacy)."""
    _shared_stack_loading.wait_for_rasa()
    return _shared_stack_loading


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(messages: List[Dict]) -> str:
    """All text the bot sent, joined, for assertions on what a user reads."""
    return "\n".join(m.get("text", "") for m in messages)
