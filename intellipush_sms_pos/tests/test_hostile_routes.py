"""Hostile input at the receipt page (``/pos/receipt/<order id>?access_token=``),
which opens without login: a 4xx, never a 500 nor a traceback, and nothing written."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.intellipush_sms.tests.test_hostile_routes import HostileRequestMixin

from .common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush", "intellipush_hostile")
class TestHostileReceiptRequests(HostileRequestMixin, IntellipushPosCase):
    FOOTPRINT = (
        "SELECT COUNT(*) FROM pos_order",
        "SELECT COUNT(*) FROM pos_order WHERE access_token IS NOT NULL",
        "SELECT COUNT(*) FROM sms_sms",
        "SELECT COUNT(*) FROM mail_message",
        "SELECT COUNT(*) FROM link_tracker_click",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.with_user(cls.pos_user).open_ui()
        cls.session = cls.shop.current_session_id

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger("odoo.http"))
        self.order, self.other = self._sync(
            self._ui_order(self.session, self.customer), self._ui_order(self.session, self.customer)
        ).sorted("id")
        self.token = self.order.access_token
        self.assertTrue(self.token)

    def _get(self, path):
        return lambda: self.url_open(path, allow_redirects=False)

    def _post(self, body, content_type):
        return lambda: self.opener.post(
            f"{self.base_url()}/pos/receipt/{self.order.id}?access_token={self.token}",
            data=body,
            headers={"Content-Type": content_type},
            allow_redirects=False,
            timeout=30,
        )

    def _assert_receipt_still_opens(self):
        page = self.url_open(f"/pos/receipt/{self.order.id}?access_token={self.token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order.pos_reference, page.text)

    def test_wrong_and_missing_tokens(self):
        order_id, token = self.order.id, self.token
        self.assertRefusedWithoutWrites(
            {
                "no token": self._get(f"/pos/receipt/{order_id}"),
                "empty token": self._get(f"/pos/receipt/{order_id}?access_token="),
                "wrong token": self._get(f"/pos/receipt/{order_id}?access_token={'0' * len(token)}"),
                "another order's token": self._get(f"/pos/receipt/{order_id}?access_token={self.other.access_token}"),
                "token cut short": self._get(f"/pos/receipt/{order_id}?access_token={token[:-1]}"),
                "huge token": self._get(f"/pos/receipt/{order_id}?access_token={'a' * 20000}"),
                "NUL as the token": self._get(f"/pos/receipt/{order_id}?access_token=%00"),
                "NUL after the token": self._get(f"/pos/receipt/{order_id}?access_token={token}%00"),
                "non-ASCII token": self._get(f"/pos/receipt/{order_id}?access_token=%C3%B8"),
                "invalid UTF-8 token": self._get(f"/pos/receipt/{order_id}?access_token=%FF%FE"),
                "raw invalid UTF-8 token": lambda: self._raw_request(
                    b"GET", f"/pos/receipt/{order_id}?access_token=".encode() + b"\xff" + token.encode()
                ),
                "wrong token first, right one second": self._get(
                    f"/pos/receipt/{order_id}?access_token=wrong&access_token={token}"
                ),
                "token as a list": self._get(f"/pos/receipt/{order_id}?access_token[]={token}"),
            }
        )
        self._assert_receipt_still_opens()

    def test_unknown_ids_and_paths_that_are_no_receipt(self):
        token = self.token
        self.assertRefusedWithoutWrites(
            {
                "unknown id": self._get(f"/pos/receipt/{self.other.id + 1000}?access_token={token}"),
                "another order's id": self._get(f"/pos/receipt/{self.other.id}?access_token={token}"),
                "id 0": self._get(f"/pos/receipt/0?access_token={token}"),
                "negative id": self._get(f"/pos/receipt/-{self.order.id}?access_token={token}"),
                "id past PostgreSQL's integers": self._get(f"/pos/receipt/{2**31}?access_token={token}"),
                "id past 64 bits": self._get(f"/pos/receipt/{10**30}?access_token={token}"),
                "id that is no number": self._get(f"/pos/receipt/kvittering?access_token={token}"),
                "NUL as the id": self._get(f"/pos/receipt/%00?access_token={token}"),
                "NUL after the id": self._get(f"/pos/receipt/{self.order.id}%00?access_token={token}"),
                "raw NUL in the path": lambda: self._raw_request(
                    b"GET", f"/pos/receipt/{self.order.id}\x00?access_token={token}".encode()
                ),
                "invalid UTF-8 id": self._get(f"/pos/receipt/%FF?access_token={token}"),
                "deeper path": self._get(f"/pos/receipt/{self.order.id}/%00?access_token={token}"),
            }
        )
        self._assert_receipt_still_opens()

    def test_bodies_sent_to_the_receipt_page(self):
        self.assertRefusedWithoutWrites(
            {
                "empty POST": self._post(b"", "application/x-www-form-urlencoded"),
                "huge body": self._post(b"x=" + b"y" * 2_000_000, "application/x-www-form-urlencoded"),
                "deeply nested JSON": self._post(b"[" * 5000 + b"]" * 5000, "application/json"),
                "JSON of the wrong types": self._post(b'{"access_token": ["a", 1, null]}', "application/json"),
                "NUL and invalid UTF-8 in a form": self._post(
                    b"access_token=%00&note=\xff\xfe", "application/x-www-form-urlencoded"
                ),
            }
        )
        self._assert_receipt_still_opens()

    def test_an_order_not_paid_has_no_receipt_page(self):
        draft = self._sync({**self._ui_order(self.session, self.customer), "state": "draft", "payment_ids": []})
        self.assertEqual(draft.state, "draft")
        self.assertRefusedWithoutWrites(
            {"its own token": self._get(f"/pos/receipt/{draft.id}?access_token={draft.access_token}")}
        )
