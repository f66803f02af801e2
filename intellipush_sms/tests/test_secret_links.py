"""Short links in SMS that open a document without login cannot be guessed."""

import re

from odoo import Command
from odoo.tests import HttpCase, tagged

from ..controllers.link_tracker import _MISSES
from ..models.link_tracker import SECRET_CODE_LENGTH
from .common import IntellipushSandboxMixin


@tagged("post_install", "-at_install", "intellipush")
class TestSecretLinks(IntellipushSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls._connect_company(cls.company)
        cls.company.intellipush_order_sms = True
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id}
        )
        cls.product = cls.env["product.product"].create({"name": "Spisestol", "type": "consu", "list_price": 990})

    def setUp(self):
        super().setUp()
        _MISSES.clear()

    def _confirmed_order_link(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        order.action_confirm()
        sms = self.env["sms.sms"].search(
            [("mail_message_id.res_id", "=", order.id), ("mail_message_id.model", "=", "sale.order")]
        )
        return order, re.search(r"/r/(\w+)", sms.body).group(1)

    def test_order_sms_link_has_an_unguessable_code_only(self):
        order, code = self._confirmed_order_link()
        self.assertGreaterEqual(len(code), SECRET_CODE_LENGTH, "Odoo's own codes are 3 characters")
        tracker = self.env["link.tracker.code"].search([("code", "=", code)]).link_id
        self.assertIn("access_token=", tracker.url)
        self.assertEqual(tracker.link_code_ids.mapped("code"), [code], "no short code leads to the same page")
        response = self.url_open(f"/r/{code}", allow_redirects=False)
        self.assertIn(response.status_code, (301, 302))
        self.assertIn(order.get_portal_url().split("?")[0], response.headers["Location"])

    def test_a_link_made_before_gets_a_secret_code(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        weak = self.env["link.tracker"].search_or_create(
            [{"url": order.get_base_url() + order.get_portal_url(), "title": order.name}]
        )
        old_code = weak.code
        self.assertLess(len(old_code), SECRET_CODE_LENGTH)
        self.env["link.tracker"]._intellipush_strengthen_token_links()
        self.assertGreaterEqual(len(weak.code), SECRET_CODE_LENGTH)
        self.assertFalse(self.env["link.tracker"].get_url_from_code(old_code), "the guessable code leads nowhere")

    def test_walking_the_code_space_is_stopped(self):
        _order, code = self._confirmed_order_link()
        statuses = [self.url_open(f"/r/zz{index}", allow_redirects=False).status_code for index in range(25)]
        self.assertEqual(statuses[:20], [404] * 20)
        self.assertEqual(set(statuses[20:]), {429}, "misses past the burst are refused")
        self.assertEqual(self.url_open(f"/r/{code}", allow_redirects=False).status_code, 429, "even a hit, then")
        _MISSES.clear()
        self.assertIn(self.url_open(f"/r/{code}", allow_redirects=False).status_code, (301, 302))
