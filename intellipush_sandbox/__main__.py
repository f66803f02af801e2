"""python3 -m intellipush_sandbox --port 8079: serve the sandbox until Ctrl+C."""

import argparse
import contextlib
import logging
import time

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
    parser.add_argument(
        "--first-id",
        type=int,
        default=None,
        help="the first id handed out (default: from the clock, above any id an earlier run handed out)",
    )
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
        first_id=args.first_id or first_id_from_clock(),
    )
    logging.getLogger("intellipush_sandbox").info("Intellipush sandbox on http://%s:%s", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt):
        sandbox.serve_forever()


def first_id_from_clock(now=None):
    """The milliseconds since 1970: a sandbox started again (the demo
    restarted on its database) never hands out an id of an earlier run,
    which the database holds already, as the real service never reuses one
    (CONTRACT §2.4). Unless an earlier run handed out more ids than
    milliseconds passed since it started."""
    return int((time.time() if now is None else now) * 1000)


if __name__ == "__main__":
    main()
