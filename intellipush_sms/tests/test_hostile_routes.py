"""Hostile input at the public routes of this addon: the door's validation
endpoint and the short-link redirect. Whatever arrives, the answer is a 4xx
(never a 500, never a traceback) and nothing is written that should not be.

:class:`HostileRequestMixin` is shared with the other addons' route tests.
"""

import json
import socket
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers import access as access_controller
from ..controllers.link_tracker import _MISSES
from .common import IntellipushAccessMixin, IntellipushSandboxMixin

KARI_NATIONAL = "41234567"
# Deep enough for any JSON parser's recursion limit, small enough for the door's body limit.
DEEP_JSON = b'{"code": ' + b"[" * 2000 + b"]" * 2000 + b"}"
HUGE_JSON = json.dumps({"code": "482913", "padding": "x" * 2_000_000}).encode()


class HostileRequestMixin:
    """Send what no honest client sends and check what it leaves behind.

    A test class lists in ``FOOTPRINT`` the SQL counts that a hostile request
    must leave as they were (rows of the tables the route could write to, or
    a sum such as the uses of a code) and may clear its rate limits in
    ``_before_hostile_request``, so that each request meets the route itself.
    """

    FOOTPRINT = ()

    def _before_hostile_request(self):
        """Called before each hostile request."""

    def _footprint(self):
        self.env.flush_all()
        counts = []
        for query in self.FOOTPRINT:
            self.env.cr.execute(query)
            counts.append(self.env.cr.fetchone()[0])
        return dict(zip(self.FOOTPRINT, counts, strict=True))

    def assertRefusedWithoutWrites(self, cases):
        """Each of ``cases`` ({label: a function sending one request and
        returning a ``requests`` response or a ``(status, body)`` pair})
        answers 4xx, without a traceback, and changes no ``FOOTPRINT`` count."""
        for label, send in cases.items():
            with self.subTest(label):
                self._before_hostile_request()
                before = self._footprint()
                answer = send()
                status, body = answer if isinstance(answer, tuple) else (answer.status_code, answer.content)
                self.assertTrue(400 <= status < 500, f"{label}: HTTP {status}: {body[:300]!r}")
                self.assertNotIn(b"Traceback", body)
                self.env.invalidate_all()
                self.assertEqual(self._footprint(), before, f"{label} wrote to the database")

    def _raw_request(self, method, path, headers=(), body=b"", content_length=None):
        """One request written byte for byte (what ``requests`` will not send: a
        path that is not UTF-8 or holds a raw NUL, a Content-Length that lies);
        returns (status, body)."""
        host, port = urlsplit(self.base_url()).hostname, urlsplit(self.base_url()).port
        head = [method + b" " + path + b" HTTP/1.1", b"Host: " + f"{host}:{port}".encode(), b"Connection: close"]
        head += [b"Content-Length: " + (content_length or str(len(body)).encode()), *headers]
        with socket.create_connection((host, port), timeout=30) as connection:
            connection.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        status_line, _separator, rest = answer.partition(b"\r\n")
        return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@tagged("post_install", "-at_install", "intellipush", "intellipush_hostile")
class TestHostileDoorRequests(HostileRequestMixin, IntellipushAccessMixin, IntellipushSandboxMixin, HttpCase):
    """``POST /intellipush/access/<resource id>/validate``."""

    FOOTPRINT = (
        "SELECT COUNT(*) FROM intellipush_access_attempt",
        "SELECT COUNT(*) FROM intellipush_access_grant",
        "SELECT COALESCE(SUM(use_count), 0) FROM intellipush_access_grant",
        "SELECT COUNT(*) FROM sms_sms",
        "SELECT COUNT(*) FROM mail_message",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.kari = cls.env["res.partner"].create(
            {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id}
        )
        cls.sauna, cls.sauna_key = cls._create_access_resource(cls.env)
        cls.gym, cls.gym_key = cls._create_access_resource(cls.env, name="Treningssenter")

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.addCleanup(self._before_hostile_request)
        self.enterContext(mute_logger(access_controller.__name__, "odoo.http"))
        # Kari holds a live code for the sauna: no hostile request may spend it.
        action = self.kari.action_intellipush_send_access_code()
        self.env[action["res_model"]].with_context(action["context"]).create(
            {"resource_id": self.sauna.id}
        ).action_send()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.code = self._received_code(KARI_NATIONAL)

    def _before_hostile_request(self):
        # The rate limits live in this process's memory, not in the rolled-back transaction.
        access_controller.CLIENT_LIMITER.clear()
        access_controller.RESOURCE_LIMITER.clear()

    def _post(self, body, key=None, resource=None, headers=None):
        return lambda: self._access_request(resource or self.sauna, key or self.sauna_key, body=body, headers=headers)

    def _assert_code_still_opens(self):
        """After it all, the door opens once with Kari's code: nothing spent or locked it."""
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, self.code), "granted")

    def test_bodies_that_are_not_a_validation_request(self):
        code = self.code.encode()
        self.assertRefusedWithoutWrites(
            {
                "empty body": self._post(b""),
                "huge body": self._post(HUGE_JSON),
                "huge body announced, little sent": lambda: self._raw_request(
                    b"POST",
                    f"/intellipush/access/{self.sauna.id}/validate".encode(),
                    [b"Authorization: Bearer " + self.sauna_key.encode(), b"Content-Type: application/json"],
                    b'{"code": "' + code + b'"}',
                    content_length=b"99999999",
                ),
                "deeply nested JSON": self._post(DEEP_JSON),
                "deeply nested, unclosed": self._post(b"[" * 4000),
                "not JSON": self._post(b"code=" + code),
                "JSON array": self._post(b'["' + code + b'"]'),
                "JSON string": self._post(b'"' + code + b'"'),
                "JSON null": self._post(b"null"),
                "code as a number": self._post(b'{"code": ' + code + b"}"),
                "code as a list": self._post(b'{"code": ["' + code + b'"]}'),
                "code as an object": self._post(b'{"code": {"value": "' + code + b'"}}'),
                "code true": self._post(b'{"code": true}'),
                "code null": self._post(b'{"code": null}'),
                "code blank": self._post(b'{"code": "   "}'),
                "code too long": self._post(b'{"code": "' + code * 20 + b'"}'),
                "number as a number": self._post(b'{"code": "' + code + b'", "number": 4741234567}'),
                "number as a list": self._post(b'{"code": "' + code + b'", "number": ["+4741234567"]}'),
                "number too long": self._post(b'{"code": "' + code + b'", "number": "' + b"4" * 100 + b'"}'),
            }
        )
        self._assert_code_still_opens()

    def test_nul_bytes_and_invalid_utf8(self):
        code = self.code.encode()
        path = f"/intellipush/access/{self.sauna.id}/validate".encode()
        key = f"Bearer {self.sauna_key}".encode()
        self.assertRefusedWithoutWrites(
            {
                "NUL in the code": self._post(b'{"code": "' + code + b'\\u0000"}'),
                "NUL alone": self._post(b'{"code": "\\u0000"}'),
                "NUL in the number": self._post(b'{"code": "' + code + b'", "number": "+47412\\u000034567"}'),
                "NUL in a key": self._post(b'{"co\\u0000de": "' + code + b'"}'),
                "raw NUL in the JSON text": self._post(b'{"code": "' + code + b'\x00"}'),
                "lone surrogate in the code": self._post(b'{"code": "\\udfff' + code + b'"}'),
                "invalid UTF-8 body": self._post(b'{"code": "' + code + b'\xff\xfe"}'),
                "UTF-16 body": self._post(json.dumps({"code": self.code}).encode("utf-16")),
                "NUL in the path": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/{self.sauna.id}%00/validate",
                    data=b'{"code": "' + code + b'"}',
                    headers={"Authorization": key.decode(), "Content-Type": "application/json"},
                    timeout=15,
                ),
                "NUL after the path": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/{self.sauna.id}/validate%00",
                    data=b'{"code": "' + code + b'"}',
                    headers={"Authorization": key.decode(), "Content-Type": "application/json"},
                    timeout=15,
                ),
                "raw NUL in the path": lambda: self._raw_request(
                    b"POST", path.replace(b"validate", b"valid\x00ate"), [b"Authorization: " + key], b"{}"
                ),
                "invalid UTF-8 in the path": lambda: self._raw_request(
                    b"POST", path.replace(b"access/", b"access/\xff"), [b"Authorization: " + key], b"{}"
                ),
                "NUL in the query, empty body": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/{self.sauna.id}/validate?code={self.code}%00",
                    headers={"Authorization": key.decode()},
                    timeout=15,
                ),
                "NUL in the API key": self._post(b'{"code": "' + code + b'"}', key=self.sauna_key + "\x00"),
                "invalid UTF-8 in the API key": lambda: self._raw_request(
                    b"POST", path, [b"Authorization: Bearer \xff\xfe" + self.sauna_key.encode()], b"{}"
                ),
            }
        )
        self._assert_code_still_opens()

    def test_wrong_and_missing_keys_and_unknown_ids(self):
        body = json.dumps({"code": self.code}).encode()
        unknown = self.sauna.browse(max(self.sauna.id, self.gym.id) + 1000)
        self.assertRefusedWithoutWrites(
            {
                "no key": lambda: self._access_request(self.sauna, None, body=body),
                "wrong key": self._post(body, key="not-the-key"),
                "another door's key": self._post(body, key=self.gym_key),
                "key as Basic": self._post(body, headers={"Authorization": f"Basic {self.sauna_key}"}),
                "Bearer without a key": self._post(body, headers={"Authorization": "Bearer"}),
                "huge key": self._post(body, key="k" * 20000),
                "unknown id with a key": self._post(body, resource=unknown),
                "id 0": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/0/validate",
                    data=body,
                    headers={"Authorization": f"Bearer {self.sauna_key}"},
                    timeout=15,
                ),
                "id past PostgreSQL's integers": self._post(body, resource=self.sauna.browse(2**31)),
                "id past 64 bits": self._post(body, resource=self.sauna.browse(2**70)),
                "negative id": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/-{self.sauna.id}/validate", data=body, timeout=15
                ),
                "id that is no number": lambda: self.opener.post(
                    f"{self.base_url()}/intellipush/access/badstue/validate", data=body, timeout=15
                ),
                "GET": lambda: self.url_open(f"/intellipush/access/{self.sauna.id}/validate"),
                "PUT": lambda: self.opener.put(
                    f"{self.base_url()}/intellipush/access/{self.sauna.id}/validate", data=body, timeout=15
                ),
            }
        )
        self._assert_code_still_opens()


@tagged("post_install", "-at_install", "intellipush", "intellipush_hostile")
class TestHostileShortLinks(HostileRequestMixin, HttpCase):
    """``/r/<code>``: Odoo's short-link redirect, behind our limit on codes that lead nowhere."""

    FOOTPRINT = (
        "SELECT COUNT(*) FROM link_tracker_click",
        "SELECT COUNT(*) FROM link_tracker",
        "SELECT COUNT(*) FROM link_tracker_code",
    )
    TARGET = "https://butikk.example/jul"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tracker = cls.env["link.tracker"].create({"url": cls.TARGET, "title": "Julesalg"})

    def setUp(self):
        super().setUp()
        self.addCleanup(_MISSES.clear)
        self.enterContext(mute_logger("odoo.http"))

    def _before_hostile_request(self):
        _MISSES.clear()  # each request meets the route, not the limit on misses

    def _get(self, path, **kwargs):
        return lambda: self.url_open(path, allow_redirects=False, **kwargs)

    def _assert_link_still_opens(self):
        clicks = self.env["link.tracker.click"].search_count([])
        response = self.url_open(f"/r/{self.tracker.code}", allow_redirects=False)
        self.assertEqual((response.status_code, response.headers["Location"]), (301, self.TARGET))
        self.assertEqual(self.env["link.tracker.click"].search_count([]), clicks + 1)

    def test_codes_that_lead_nowhere(self):
        code = self.tracker.code
        self.assertRefusedWithoutWrites(
            {
                "unknown code": self._get("/r/zzzzzzzzzzzz"),
                "huge code": self._get("/r/" + "z" * 20000),
                "NUL as the code": self._get("/r/%00"),
                "NUL after a real code": self._get(f"/r/{code}%00"),
                "NUL inside a code": self._get(f"/r/{code[:1]}%00{code[1:]}"),
                "raw NUL in the path": lambda: self._raw_request(b"GET", f"/r/{code}\x00".encode()),
                "invalid UTF-8 code": self._get("/r/%FF%FE"),
                "raw invalid UTF-8 in the path": lambda: self._raw_request(b"GET", b"/r/\xff" + code.encode()),
                "lone surrogate, percent-encoded": self._get("/r/%ED%B3%BF"),
                "NUL in the query of an unknown code": self._get("/r/zzzzzzzzzzzz?utm_source=%00"),
                "POST with a huge body": lambda: self.opener.post(
                    f"{self.base_url()}/r/{code}", data=HUGE_JSON, allow_redirects=False, timeout=30
                ),
                "POST with nested JSON": lambda: self.opener.post(
                    f"{self.base_url()}/r/{code}",
                    data=DEEP_JSON,
                    headers={"Content-Type": "application/json"},
                    allow_redirects=False,
                    timeout=30,
                ),
                "POST, invalid UTF-8 form": lambda: self.opener.post(
                    f"{self.base_url()}/r/{code}",
                    data=b"a=\xff\xfe&b=%00",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    allow_redirects=False,
                    timeout=30,
                ),
            }
        )
        self._assert_link_still_opens()

    def test_a_real_link_with_junk_in_its_query_still_redirects_once(self):
        """The query of a short link is not read: junk there changes nothing, the visit counts once."""
        clicks = self.env["link.tracker.click"].search_count([])
        response = self.url_open(f"/r/{self.tracker.code}?x=%00&y=%FF", allow_redirects=False)
        self.assertEqual((response.status_code, response.headers["Location"]), (301, self.TARGET))
        self.assertEqual(self.env["link.tracker.click"].search_count([]), clicks + 1)


@tagged("post_install", "-at_install", "intellipush")
class TestHostilePathsOutsideOurRoutes(HostileRequestMixin, HttpCase):
    """Any path that matches no route is looked up among attachments by Odoo;
    a NUL byte in it made that lookup fail (a 500) instead of a 404."""

    FOOTPRINT = ("SELECT COUNT(*) FROM ir_attachment",)

    def test_a_nul_byte_in_an_unknown_path_is_a_404(self):
        self.enterContext(mute_logger("odoo.http"))
        self.assertRefusedWithoutWrites(
            {
                "NUL in an unknown path": lambda: self.url_open("/ingen/slik/side%00"),
                "NUL under /r/ with a deeper path": lambda: self.url_open("/r/abc/x%00", allow_redirects=False),
            }
        )
        self.assertEqual(self.url_open("/ingen/slik/side").status_code, 404, "a plain unknown path is a 404 too")
