"""A local stand-in for the Intellipush SMS API.

It speaks what Intellipush's public SDKs show: OAuth 2.0 client credentials
at ``POST /oauth2/token`` (HTTP Basic with the API ID and secret), then JSON
``POST`` requests under ``/restv2/`` with a bearer token, answered with the
envelope ``{success, data, errorcode, status_message}``. It keeps every SMS it
accepted, moves them through delivery states, holds inbound SMS for
``sms/getReceived``, serves short URLs, texts and checks two-factor codes, and
injects faults on request.

Steering and inspection go through the :class:`Sandbox` methods, or the same
operations as JSON under ``/_sandbox/`` for other processes. That control API
is unauthenticated: the sandbox binds to loopback and is for development only.

Fault kinds (``inject_fault(kind, endpoint=None, count=1, **params)``; the
endpoint is a path such as ``"sms/createBatch"``, None means any ``/restv2/``
endpoint):

``http_500``, ``http_503``
    answer that status before processing: nothing is stored.
``http_500_after``
    process (the SMS *is* stored), then answer 500.
``timeout``
    process, then wait ``delay`` seconds (default 10) before answering: the
    client gives up while the provider kept the message.
``timeout_before``
    wait ``delay`` seconds, then answer 504 without processing.
``rate_limit``
    answer 429 with ``Retry-After: retry_after`` (default 2), not processed.
``expired_token``
    answer 401 ``invalid_token`` once, as if the token had just expired.
``malformed_json``
    process, then answer 200 with a body that is not JSON.
``malformed_envelope``
    process, then answer JSON without the envelope's keys.
``partial_batch``
    ``sms/createBatch`` items at ``indices`` fail with ``errorcode``
    (default ``invalid_phonenumber``), the others succeed.
``drop_connection``
    process, then close the socket without answering.
"""

import base64
import itertools
import json
import logging
import math
import re
import secrets
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_logger = logging.getLogger("intellipush_sandbox")

DEFAULT_API_ID = "sandbox-id"
DEFAULT_API_SECRET = "sandbox-secret"  # noqa: S105 (the sandbox's well-known demo credential)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FAULT_KINDS = frozenset(
    {
        "http_500",
        "http_503",
        "http_500_after",
        "timeout",
        "timeout_before",
        "rate_limit",
        "expired_token",
        "malformed_json",
        "malformed_envelope",
        "partial_batch",
        "drop_connection",
    }
)
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\f^{}\\[~]|€"
)


class BadRequest(Exception):
    """A request the sandbox refuses with a 400 envelope."""


def _now():
    return datetime.now().replace(microsecond=0)


def _segments(message):
    """The provider's own rough count, for credits_amount (not our encoder)."""
    if set(message) <= GSM7:
        length = len(message) + sum(message.count(char) for char in "\f^{}\\[~]|€")
        return 1 if length <= 160 else math.ceil(length / 153)
    length = len(message.encode("utf-16-le")) // 2
    return 1 if length <= 70 else math.ceil(length / 67)


class SandboxState:
    """Everything the sandbox knows; every method holds one lock."""

    def __init__(self, api_id, api_secret, token_ttl, auto_deliver_after):
        self.lock = threading.RLock()
        self.api_id = api_id
        self.api_secret = api_secret
        self.token_ttl = token_ttl
        self.auto_deliver_after = auto_deliver_after
        # Ids keep counting across resets, as the real service never reuses one.
        self.ids = itertools.count(1)
        self.tokens = {}
        self.reset()

    def reset(self):
        """Forget messages, inbound SMS, URLs, faults and steering; issued
        tokens stay valid (use expire_tokens() to test renewal)."""
        with self.lock:
            self.messages = {}  # id -> dict, in acceptance order
            self.inbound = []
            self.urls = {}
            self.faults = []
            self.number_outcomes = {}
            self.credits = None  # None: unlimited
            self.log = []
            self.twofactor_codes = {}  # (countrycode, phonenumber) -> the last code texted

    def next_id(self, prefix):
        return f"{prefix}-{next(self.ids):06d}"

    # Tokens ------------------------------------------------------------

    def issue_token(self):
        with self.lock:
            token = secrets.token_urlsafe(24)
            self.tokens[token] = time.monotonic() + self.token_ttl
            return token

    def token_valid(self, token):
        with self.lock:
            expiry = self.tokens.get(token)
            return expiry is not None and expiry > time.monotonic()

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    # Faults ------------------------------------------------------------

    def inject_fault(self, kind, endpoint=None, count=1, **params):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self.lock:
            self.faults.append({"kind": kind, "endpoint": endpoint, "count": int(count), "params": params})

    def take_fault(self, endpoint):
        with self.lock:
            for fault in self.faults:
                if fault["endpoint"] in (None, endpoint) and fault["count"] > 0:
                    fault["count"] -= 1
                    if not fault["count"]:
                        self.faults.remove(fault)
                    return fault
        return None

    # Messages ----------------------------------------------------------

    def create_sms(self, item, refused_errorcode=None):
        """Store one SMS, or return an error envelope for it."""
        if not isinstance(item, dict):
            return _envelope(False, errorcode="invalid_message", status_message="Each SMS must be an object.")
        message = item.get("message")
        countrycode = str(item.get("countrycode") or "")
        phonenumber = str(item.get("phonenumber") or "")
        if not isinstance(message, str) or not message:
            return _envelope(False, errorcode="invalid_message", status_message="The message text is missing.")
        if refused_errorcode:
            return _envelope(
                False, errorcode=refused_errorcode, status_message="Refused by the sandbox (injected fault)."
            )
        if not re.fullmatch(r"00\d{1,3}", countrycode) or not re.fullmatch(r"\d{4,14}", phonenumber):
            return _envelope(False, errorcode="invalid_phonenumber", status_message="Invalid phone number.")
        with self.lock:
            outcome = self.number_outcomes.get((countrycode, phonenumber))
            if outcome == "reject_invalid":
                return _envelope(False, errorcode="invalid_phonenumber", status_message="Invalid phone number.")
            cost = _segments(message)
            if self.credits is not None:
                if self.credits < cost:
                    return _envelope(False, errorcode="insufficient_credits", status_message="Not enough credits.")
                self.credits -= cost
            scheduled = None
            if item.get("date") and item.get("time"):
                try:
                    scheduled = datetime.strptime(f"{item['date']} {item['time']}", "%Y-%m-%d %H-%M")
                except (TypeError, ValueError):
                    return _envelope(False, errorcode="invalid_message", status_message="Bad date or time.")
            sms_id = self.next_id("ip")
            self.messages[sms_id] = {
                "id": sms_id,
                "countrycode": countrycode,
                "phonenumber": phonenumber,
                "message": message,
                "sender": item.get("sender"),
                "scheduled": scheduled.strftime(TIME_FORMAT) if scheduled else None,
                "received_at": _now().strftime(TIME_FORMAT),
                "credits": cost,
                "sendt": 0,
                "failed": 0,
                "deleted": 0,
                "tries": 0,
                "timesendt": None,
                "failure_reason": None,
            }
            return _envelope(True, {"id": sms_id, "credits_amount": cost})

    def twofactor_generate(self, countrycode, phonenumber, before, after):
        """Text a new six-digit code between ``before`` and ``after``; it
        replaces the number's previous code and stays valid until then."""
        code = f"{secrets.randbelow(10**6):06d}"
        message = f"{before}{code}{after}"
        envelope = self.create_sms({"countrycode": countrycode, "phonenumber": phonenumber, "message": message})
        if not envelope["success"]:
            return envelope
        with self.lock:
            self.twofactor_codes[(countrycode, phonenumber)] = code
        return _envelope(
            True,
            {
                "id": envelope["data"]["id"],
                "text_message": message,
                "single_target_countrycode": countrycode,
                "single_target": phonenumber,
                "method": "sms",
            },
        )

    def twofactor_validate(self, countrycode, phonenumber, code):
        with self.lock:
            expected = self.twofactor_codes.get((countrycode, phonenumber))
        return expected is not None and secrets.compare_digest(expected.encode(), code.encode())

    def _settle(self, sms_id, delivered, reason=None):
        sms = self.messages[sms_id]
        if sms["sendt"] or sms["failed"] or sms["deleted"]:
            return
        sms["tries"] += 1
        if delivered:
            sms["sendt"] = 1
            sms["timesendt"] = _now().strftime(TIME_FORMAT)
        else:
            sms["failed"] = 1
            sms["failure_reason"] = reason

    def deliver(self, ids=None):
        with self.lock:
            for sms_id in ids if ids is not None else list(self.messages):
                if sms_id in self.messages:
                    self._settle(sms_id, True)

    def fail(self, ids, reason="not delivered"):
        with self.lock:
            for sms_id in ids:
                if sms_id in self.messages:
                    self._settle(sms_id, False, reason)

    def _auto_settle(self, sms):
        if self.auto_deliver_after is None or sms["sendt"] or sms["failed"]:
            return
        received = datetime.strptime(sms["received_at"], TIME_FORMAT)
        if datetime.now() - received >= timedelta(seconds=self.auto_deliver_after):
            failing = self.number_outcomes.get((sms["countrycode"], sms["phonenumber"])) == "fail"
            self._settle(sms["id"], not failing, "not delivered" if failing else None)

    def statuses(self, ids):
        with self.lock:
            result = []
            for sms_id in ids:
                sms = self.messages.get(str(sms_id))
                if sms is None:
                    continue
                self._auto_settle(sms)
                result.append({key: sms[key] for key in ("id", "sendt", "failed", "tries", "deleted", "timesendt")})
            return result

    def sent_page(self, page, items):
        with self.lock:
            newest_first = list(reversed(self.messages.values()))
        chunk = newest_first[(page - 1) * items : page * items]
        return [
            {
                "id": sms["id"],
                "countrycode": sms["countrycode"],
                "phonenumber": sms["phonenumber"],
                "message": sms["message"],
                "created": sms["received_at"],
                "timesendt": sms["timesendt"],
            }
            for sms in chunk
        ]

    def add_inbound(self, countrycode, phonenumber, message, received_at=None):
        with self.lock:
            inbound_id = self.next_id("in")
            words = message.split()
            self.inbound.append(
                {
                    "id": inbound_id,
                    "countrycode": countrycode,
                    "phonenumber": phonenumber,
                    "message": message,
                    "keyword": words[0].upper() if words else "",
                    "received": (received_at or _now()).strftime(TIME_FORMAT),
                }
            )
            return inbound_id

    def received_page(self, page, items, keyword=None, second_keyword=None):
        with self.lock:
            newest_first = list(reversed(self.inbound))
        if keyword:
            newest_first = [msg for msg in newest_first if msg["keyword"] == keyword.upper()]
        if second_keyword:
            newest_first = [
                msg
                for msg in newest_first
                if len(msg["message"].split()) > 1 and msg["message"].split()[1].upper() == second_keyword.upper()
            ]
        return newest_first[(page - 1) * items : page * items]

    # Short URLs --------------------------------------------------------

    def create_url(self, target, parent_id=None):
        with self.lock:
            url_id = self.next_id("url")
            code = secrets.token_urlsafe(5)
            self.urls[url_id] = {
                "id": url_id,
                "code": code,
                "url": target,
                "parent_url_id": parent_id,
                "visits": 0,
                "visitors": set(),
                "first_visit": None,
                "last_visit": None,
            }
            return self.urls[url_id]

    def click(self, code, visitor="127.0.0.1"):
        with self.lock:
            for url in self.urls.values():
                if url["code"] == code:
                    now = _now().strftime(TIME_FORMAT)
                    url["visits"] += 1
                    url["visitors"].add(visitor)
                    url["first_visit"] = url["first_visit"] or now
                    url["last_visit"] = now
                    return url["url"]
        return None


def _envelope(success, data=None, errorcode=None, status_message=""):
    return {"success": success, "data": data, "errorcode": errorcode, "status_message": status_message}


class _Handler(BaseHTTPRequestHandler):
    server_version = "IntellipushSandbox/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        _logger.debug("%s %s", self.address_string(), format % args)

    # Plumbing ----------------------------------------------------------

    def _read_body(self):
        """Read this request's body. Done first for every request: a body left
        unread would corrupt the next request on this keep-alive connection."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        self.body = self.rfile.read(length) if length > 0 else b""

    def _send(self, status, payload=None, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if raw is None else "text/html")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json_body(self):
        raw = self.body
        if not raw:
            return {}
        try:
            payload = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest("The body is not valid JSON.") from error
        if not isinstance(payload, dict):
            raise BadRequest("The body must be a JSON object.")
        return payload

    def _record(self, endpoint, status):
        with self.state.lock:
            self.state.log.append({"endpoint": endpoint, "status": status, "time": time.time()})
        _logger.info("%s -> %s", endpoint, status)

    # Routing -----------------------------------------------------------

    def do_GET(self):  # noqa: N802 (http.server naming)
        path = urlsplit(self.path).path
        try:
            if path.startswith("/s/"):
                target = self.state.click(path[3:], self.client_address[0])
                if target is None:
                    self._send(404, _envelope(False, status_message="Unknown short URL."))
                else:
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
            elif path == "/_sandbox/messages":
                with self.state.lock:
                    self._send(200, list(self.state.messages.values()))
            elif path == "/_sandbox/requests":
                with self.state.lock:
                    self._send(200, list(self.state.log))
            else:
                self._send(404, _envelope(False, status_message="Not found."))
        except BrokenPipeError:
            pass

    def do_POST(self):  # noqa: N802 (http.server naming)
        path = urlsplit(self.path).path
        self._read_body()
        try:
            if path == "/oauth2/token":
                self._token()
            elif path.startswith("/restv2/"):
                self._rest(path[len("/restv2/") :])
            elif path.startswith("/_sandbox/"):
                self._control(path[len("/_sandbox/") :])
            else:
                self._send(404, _envelope(False, status_message="Not found."))
        except BadRequest as error:
            self._send(400, _envelope(False, errorcode="bad_request", status_message=str(error)))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _token(self):
        form = self.body.decode("utf-8", "replace")
        authorization = self.headers.get("Authorization", "")
        try:
            api_id, _sep, api_secret = base64.b64decode(authorization.removeprefix("Basic ")).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            api_id = api_secret = None
        if "grant_type=client_credentials" not in form:
            self._record("oauth2/token", 400)
            self._send(400, {"error": "unsupported_grant_type"})
            return
        if (api_id, api_secret) != (self.state.api_id, self.state.api_secret):
            self._record("oauth2/token", 401)
            self._send(401, {"error": "invalid_client"})
            return
        self._record("oauth2/token", 200)
        self._send(
            200,
            {
                "access_token": self.state.issue_token(),
                "token_type": "Bearer",
                "expires_in": self.state.token_ttl,
            },
        )

    def _rest(self, endpoint):
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not self.state.token_valid(token):
            self._record(endpoint, 401)
            self._send(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        body = self._json_body()
        fault = self.state.take_fault(endpoint)
        kind = fault["kind"] if fault else None
        params = fault["params"] if fault else {}
        if kind in ("http_500", "http_503"):
            status = int(kind[-3:])
            self._record(endpoint, status)
            self._send(status, _envelope(False, errorcode="server_error", status_message="Injected server error."))
            return
        if kind == "timeout_before":
            time.sleep(float(params.get("delay", 10)))
            self._record(endpoint, 504)
            self._send(504, _envelope(False, errorcode="server_error", status_message="Gateway timeout."))
            return
        if kind == "rate_limit":
            self._record(endpoint, 429)
            self._send(
                429,
                _envelope(False, errorcode="rate_limited", status_message="Too many requests."),
                headers={"Retry-After": str(params.get("retry_after", 2))},
            )
            return
        if kind == "expired_token":
            self._record(endpoint, 401)
            self._send(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        handler = getattr(self, "_api_" + endpoint.replace("/", "_"), None)
        if handler is None:
            self._record(endpoint, 404)
            self._send(404, _envelope(False, errorcode="not_found", status_message="Unknown endpoint."))
            return
        payload = handler(body, params if kind == "partial_batch" else {})
        self._answer_after_processing(endpoint, kind, params, payload)

    def _answer_after_processing(self, endpoint, kind, params, payload):
        if kind == "timeout":
            time.sleep(float(params.get("delay", 10)))
        if kind == "drop_connection":
            self._record(endpoint, 0)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if kind == "http_500_after":
            self._record(endpoint, 500)
            self._send(500, _envelope(False, errorcode="server_error", status_message="Injected server error."))
            return
        if kind == "malformed_json":
            self._record(endpoint, 200)
            self._send(200, raw=b"<html>Internal error</html>")
            return
        if kind == "malformed_envelope":
            self._record(endpoint, 200)
            self._send(200, {"result": "ok"})
            return
        self._record(endpoint, 200)
        self._send(200, payload)

    # REST endpoints ----------------------------------------------------

    def _api_user(self, body, fault):
        with self.state.lock:
            credits = self.state.credits
        return _envelope(
            True,
            {
                "id": 1,
                "username": self.state.api_id,
                "company": "Intellipush Sandbox",
                "email": "sandbox@example.com",
                "credits": credits if credits is not None else 1000000,
            },
        )

    def _api_sms_create(self, body, fault):
        return self.state.create_sms(body)

    def _api_sms_createBatch(self, body, fault):  # noqa: N802 (the API's spelling)
        batch = body.get("batch")
        if not isinstance(batch, list) or not batch:
            raise BadRequest("'batch' must be a non-empty list.")
        refused = set(fault.get("indices", ()))
        errorcode = fault.get("errorcode", "invalid_phonenumber")
        return _envelope(
            True,
            [self.state.create_sms(item, errorcode if index in refused else None) for index, item in enumerate(batch)],
        )

    def _api_sms_status(self, body, fault):
        ids = body.get("ids") or ([body["id"]] if body.get("id") else None)
        if not isinstance(ids, list):
            raise BadRequest("'ids' must be a list.")
        return _envelope(True, self.state.statuses(ids))

    def _page(self, body):
        try:
            page, items = int(body.get("page", 1)), int(body.get("items", 50))
        except (TypeError, ValueError) as error:
            raise BadRequest("'page' and 'items' must be numbers.") from error
        if page < 1 or not 1 <= items <= 500:
            raise BadRequest("'page' starts at 1 and 'items' is 1 to 500.")
        return page, items

    def _api_sms_getSent(self, body, fault):  # noqa: N802 (the API's spelling)
        return _envelope(True, self.state.sent_page(*self._page(body)))

    def _api_sms_getReceived(self, body, fault):  # noqa: N802 (the API's spelling)
        page, items = self._page(body)
        return _envelope(True, self.state.received_page(page, items, body.get("keyword"), body.get("secondKeyword")))

    def _short(self, url):
        host = self.headers.get("Host", "127.0.0.1")
        return {
            "id": url["id"],
            "short_url": f"http://{host}/s/{url['code']}",
            "url": url["url"],
            "parent_url_id": url["parent_url_id"],
            "target": url["parent_url_id"] and url.get("target"),
        }

    def _api_url_generate(self, body, fault):
        if not isinstance(body.get("url"), str) or not body["url"]:
            raise BadRequest("'url' is required.")
        return _envelope(True, self._short(self.state.create_url(body["url"])))

    def _api_url_generateChild(self, body, fault):  # noqa: N802 (the API's spelling)
        with self.state.lock:
            parent = self.state.urls.get(str(body.get("parent_url_id")))
        if parent is None:
            return _envelope(False, errorcode="not_found", status_message="Unknown parent URL.")
        child = self.state.create_url(parent["url"], parent["id"])
        child["target"] = body.get("target")
        return _envelope(True, self._short(child))

    def _api_url_get(self, body, fault):
        with self.state.lock:
            url = self.state.urls.get(str(body.get("id")))
            if url is None:
                return _envelope(False, errorcode="not_found", status_message="Unknown URL.")
            children = [
                {
                    "id": child["id"],
                    "short_url": self._short(child)["short_url"],
                    "target": child.get("target"),
                    "visits": child["visits"],
                    "unique_visitors": len(child["visitors"]),
                    "first_visit": child["first_visit"],
                    "last_visit": child["last_visit"],
                }
                for child in self.state.urls.values()
                if child["parent_url_id"] == url["id"]
            ]
            return _envelope(
                True,
                {
                    **self._short(url),
                    "visits": url["visits"],
                    "unique_visitors": len(url["visitors"]),
                    "children": children,
                },
            )

    def _api_twofactor_generate(self, body, fault):
        countrycode, phonenumber = self._twofactor_number(body)
        before, after = body.get("message_pre_code", ""), body.get("message_post_code", "")
        if not isinstance(before, str) or not isinstance(after, str):
            raise BadRequest("'message_pre_code' and 'message_post_code' must be text.")
        return self.state.twofactor_generate(countrycode, phonenumber, before, after)

    def _api_twofactor_validate(self, body, fault):
        countrycode, phonenumber = self._twofactor_number(body)
        code = body.get("code")
        if not isinstance(code, str) or not code:
            raise BadRequest("'code' is required.")
        return _envelope(True, {"access": self.state.twofactor_validate(countrycode, phonenumber, code)})

    @staticmethod
    def _twofactor_number(body):
        countrycode, phonenumber = body.get("countrycode"), body.get("phonenumber")
        if not isinstance(countrycode, str) or not isinstance(phonenumber, str) or not countrycode or not phonenumber:
            raise BadRequest("'countrycode' and 'phonenumber' are required.")
        return countrycode, phonenumber

    # Control API -------------------------------------------------------

    def _control(self, action):
        body = self._json_body()
        state = self.state
        try:
            if action == "reset":
                state.reset()
                result = True
            elif action == "deliver":
                state.deliver(body.get("ids"))
                result = True
            elif action == "fail":
                state.fail(body.get("ids") or [], body.get("reason", "not delivered"))
                result = True
            elif action == "inbound":
                result = state.add_inbound(body["countrycode"], body["phonenumber"], body["message"])
            elif action == "faults":
                state.inject_fault(body.pop("kind"), body.pop("endpoint", None), body.pop("count", 1), **body)
                result = True
            elif action == "clear_faults":
                with state.lock:
                    state.faults.clear()
                result = True
            elif action == "number_outcome":
                with state.lock:
                    state.number_outcomes[(body["countrycode"], body["phonenumber"])] = body["outcome"]
                result = True
            elif action == "credits":
                with state.lock:
                    state.credits = body.get("credits")
                result = True
            elif action == "expire_tokens":
                state.expire_tokens()
                result = True
            else:
                self._send(404, _envelope(False, status_message="Unknown control action."))
                return
        except (KeyError, TypeError, ValueError) as error:
            raise BadRequest(f"Bad control request: {error}") from error
        self._send(200, _envelope(True, result))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sandbox:
    """The sandbox server with its Python steering API; see the module docstring."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        api_id=DEFAULT_API_ID,
        api_secret=DEFAULT_API_SECRET,
        token_ttl=3600,
        auto_deliver_after=None,
    ):
        self.state = SandboxState(api_id, api_secret, token_ttl, auto_deliver_after)
        self._host, self._port = host, port
        self._server = None
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._server = _Server((self._host, self._port), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(target=self._server.serve_forever, name="intellipush-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._server = _Server((self._host, self._port), _Handler)
        self._server.state = self.state
        self._server.serve_forever()

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # Steering and inspection (thread-safe) -----------------------------

    def messages(self):
        with self.state.lock:
            return [dict(sms) for sms in self.state.messages.values()]

    def reset(self):
        self.state.reset()

    def deliver(self, ids=None):
        self.state.deliver(ids)

    def fail(self, ids, reason="not delivered"):
        self.state.fail(ids, reason)

    def set_number_outcome(self, countrycode, phonenumber, outcome):
        if outcome not in ("deliver", "fail", "reject_invalid"):
            raise ValueError(f"unknown outcome {outcome!r}")
        with self.state.lock:
            self.state.number_outcomes[(countrycode, phonenumber)] = outcome

    def add_inbound(self, countrycode, phonenumber, message, received_at=None):
        return self.state.add_inbound(countrycode, phonenumber, message, received_at)

    def set_credits(self, credits):
        with self.state.lock:
            self.state.credits = credits

    def expire_tokens(self):
        self.state.expire_tokens()

    def inject_fault(self, kind, endpoint=None, count=1, **params):
        self.state.inject_fault(kind, endpoint, count, **params)

    def clear_faults(self):
        with self.state.lock:
            self.state.faults.clear()

    def requests_log(self):
        with self.state.lock:
            return [dict(entry) for entry in self.state.log]

    def click(self, short_code, visitor="127.0.0.1"):
        return self.state.click(short_code, visitor)

    def twofactor_code(self, countrycode, phonenumber):
        """The code ``twofactor/generate`` last texted to the number, or None."""
        with self.state.lock:
            return self.state.twofactor_codes.get((countrycode, phonenumber))
