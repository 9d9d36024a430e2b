"""`python -m console [--host H] [--port P]`: serve the care team's console."""

import argparse
import os

from console.app import create_app
from massage import privacy


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8090")))
    args = parser.parse_args()
    privacy.install()  # logs never hold what visitors typed, nor names, contacts or health answers
    print(f"Care team console: http://{'localhost' if args.host == '127.0.0.1' else args.host}:{args.port}", flush=True)
    create_app().run(host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
