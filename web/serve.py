"""Serves the demo site with the chat widget: http://localhost:8080 by default.

    .venv/bin/python web/serve.py [--port 8080] [--rasa-url http://localhost:5005]

WEB_HOST, WEB_PORT and RASA_SOCKET_URL set the same from the environment. The
demo page's `data-socket-url` is rewritten to the Rasa URL given here.
"""

import argparse
import html
import os
import re
from pathlib import Path

from aiohttp import web

WEB = Path(__file__).resolve().parent
DEMO_PAGE = WEB / "demo" / "index.html"
WIDGET = WEB / "dist" / "widget.js"
SOCKET_URL_ATTRIBUTE = re.compile(r'data-socket-url="[^"]*"')


def content_security_policy(rasa_url: str) -> str:
    """The page runs no inline script; it talks only to the Rasa server."""
    socket_url = re.sub(r"^http", "ws", rasa_url)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' https: data:; connect-src 'self' {rasa_url} {socket_url}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def make_app(rasa_url: str) -> web.Application:
    if not WIDGET.exists():
        raise SystemExit(f"{WIDGET} is missing: run `npm ci && npm run build` in web/")
    attribute = f'data-socket-url="{html.escape(rasa_url)}"'
    page = SOCKET_URL_ATTRIBUTE.sub(lambda _: attribute, DEMO_PAGE.read_text())
    headers = {
        "Content-Security-Policy": content_security_policy(rasa_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }

    async def demo_page(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", headers=headers)

    async def widget(_: web.Request) -> web.FileResponse:
        return web.FileResponse(WIDGET, headers={"Content-Type": "text/javascript", **headers})

    app = web.Application()
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("RASA_SOCKET_URL", "http://localhost:5005"),
        help="where browsers reach Rasa's socket.io channel",
    )
    args = parser.parse_args()
    print(f"Demo site with the chat widget: http://localhost:{args.port}/", flush=True)
    web.run_app(make_app(args.rasa_url.rstrip("/")), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
