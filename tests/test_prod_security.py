"""Production mode's public listener (scripts/run-prod.sh: nginx in front) as a stranger tries it.

One Rasa replica and one action server behind nginx, with every messaging channel (pointed at
the fake platforms) and the rate limits a deployment gets by default.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
import socketio
from fake_platform import MESSAGING_ENV, messaging_credentials
from flood import assert_flood_held, client_at
from test_channel_security import socket_at
from test_prod_mode import Prod
from test_web_widget import close

from bench.prod_access import REST_AUTH
from channels.public_access import SLOW_DOWN_REPLY

NGINX_SLOW_DOWN = "Too many requests from your address: please slow down and try again in a few seconds."
ALLOWED_ORIGIN = "http://localhost:8080"  # run-prod.sh's default CORS_ORIGINS
DEFAULT_LIMITS = {f"{kind}_{knob}": "" for kind in ("MESSAGE", "CONNECT", "PUBLIC")
                  for knob in ("RATE_PER_SECOND", "BURST")}  # empty: the scripts' and channels' defaults


@pytest.fixture(scope="module")
def prod(request: pytest.FixtureRequest, messaging_platforms: Dict, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Prod]:
    workdir = tmp_path_factory.mktemp("prod-security")
    credentials = workdir / "credentials.yml"
    credentials.write_text(messaging_credentials(messaging_platforms))
    model = request.getfixturevalue("model_path")
    running = Prod(workdir, model, env={
        **MESSAGING_ENV, **DEFAULT_LIMITS, "CREDENTIALS": str(credentials), "RASA_REPLICAS": "1",
        "ACTION_REPLICAS": "1",
    })
    try:
        yield running.start()
    finally:
        running.stop()


def post(prod: Prod, sender: str, text: str, headers: Dict[str, str] = REST_AUTH,
         client: requests.Session | None = None) -> requests.Response:
    return (client or requests).post(f"{prod.url}/webhooks/rest/webhook", headers=headers, timeout=60,
                                     json={"sender": sender, "message": text})


def test_rest_through_nginx_needs_the_integrations_credential(prod):
    refused = post(prod, "stranger", "do I need to tip?", headers={})
    assert refused.status_code == 401 and "credential" in refused.json()["error"]
    assert post(prod, "stranger", "do I need to tip?").status_code == 200


def test_a_page_of_a_foreign_origin_cannot_open_the_chat_through_nginx(prod):
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_at(prod.url, origin="https://evil.example")
    close(socket_at(prod.url, origin=ALLOWED_ORIGIN))


def listening_addresses(port: int) -> set:
    """The local addresses a TCP port listens on, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_telegram_set_webhook_and_the_action_server_are_not_reachable_from_outside(prod):
    for path in ("/webhooks/telegram/set_webhook", "/webhooks/telegram/", "/webhooks/rest/", "/webhook",
                 "/actions", "/health/../webhook", "/webhooks/telegram/webhook/../set_webhook"):
        for method in ("GET", "POST"):
            assert requests.request(method, f"{prod.url}{path}", timeout=10).status_code == 404, (method, path)
    # The action servers and Rasa listen on loopback only; the public port is nginx's.
    for port in (prod.actions_base, prod.actions_port, prod.rasa_base, prod.admin_port):
        assert listening_addresses(port) == {"0100007F"}, port  # 127.0.0.1, nothing else


def test_a_flood_from_one_address_gets_429_from_nginx_and_others_are_not_slowed(prod, capsys):
    slow_down = assert_flood_held(lambda client, sender, text: post(prod, sender, text, client=client),
                                  "production mode: nginx, then Rasa", capsys)
    # nginx's "please slow down", or the channel's own answer for what nginx let through.
    assert slow_down.status_code == 429 and slow_down.headers.get("Retry-After") == "5"
    assert slow_down.json()["error"] in (NGINX_SLOW_DOWN, SLOW_DOWN_REPLY)


def test_nginx_refuses_a_burst_from_one_address_before_rasa_sees_it(prod):
    """Many connections at once (which the channel's one-second wait does not slow): nginx's limit."""
    flooder = client_at("127.0.0.4")
    with ThreadPoolExecutor(max_workers=30) as pool:
        replies = list(pool.map(lambda n: post(prod, f"burst-{n}", "hi", headers={}, client=flooder), range(90)))
    refused = [reply for reply in replies if reply.status_code == 429]
    assert len(refused) >= 90 - 20 - 15, Counter(reply.status_code for reply in replies)  # burst 20, 5 a second
    assert all(reply.json()["error"] == NGINX_SLOW_DOWN for reply in refused)
