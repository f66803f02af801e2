"""python3 -m intellipush_sandbox --port 8079: serve the sandbox until Ctrl+C."""

import argparse
import contextlib
import logging

from .server import DEFAULT_API_ID, DEFAULT_API_SECRET, DEFAULT_SENDER_NAME, DEFAULT_TIMEZONE, Sandbox


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m intellipush_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (keep it on loopback)")
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--api-id", default=DEFAULT_API_ID)
    parser.add_argument("--api-secret", default=DEFAULT_API_SECRET)
    parser.add_argument("--token-ttl", type=int, default=3600, help="seconds an access token lives")
    parser.add_argument(
        "--auto-deliver-after",
        type=float,
        default=None,
        help="mark SMS delivered this many seconds after they were sent",
    )
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="the account's time zone (CONTRACT §3)")
    parser.add_argument("--sender-name", default=DEFAULT_SENDER_NAME, help="the account's SMS sender name")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        api_id=args.api_id,
        api_secret=args.api_secret,
        token_ttl=args.token_ttl,
        auto_deliver_after=args.auto_deliver_after,
        timezone=args.timezone,
        sender_name=args.sender_name,
    )
    logging.getLogger("intellipush_sandbox").info("Intellipush sandbox on http://%s:%s", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        sandbox.serve_forever()


if __name__ == "__main__":
    main()
