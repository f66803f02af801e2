import re

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.intellipush_sms_pos import _post_init_hook

from .common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush")
class TestReceiptSms(IntellipushPosCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.with_user(cls.pos_user).open_ui()
        cls.session = cls.shop.current_session_id

    def test_order_synced_later_sends_its_receipt_once(self):
        """Offline at the counter: the receipt request waits on the order, and
        the register may sync that order more than once when it reconnects."""
        order_data = self._ui_order(self.session, self.customer, receipt_number="412 34 567")

        order = self._sync(order_data)
        self._sync(order_data)
        self._sync(order_data)

        sms = self._receipt_sms(order)
        self.assertEqual(len(sms), 1, "one receipt SMS, whatever the number of syncs")
        self.assertEqual(sms.number, "+4741234567")
        self.assertEqual(sms.partner_id, self.customer)
        self.assertEqual(sms.sms_purpose, "transactional")
        self.assertIn(f"Hei Kari! Takk for handelen. Kvittering {order.pos_reference} på ", sms.body)
        self.assertIn("249", sms.body)
        self.assertEqual(order.intellipush_receipt_sms_sent_number, "412 34 567")
        self.assertTrue(order.intellipush_receipt_sms_sent_at)

        self._process_queue()
        received = self.sandbox.messages()
        self.assertEqual([(msg["countrycode"], msg["phonenumber"]) for msg in received], [("0047", "41234567")])
        self.assertEqual(received[0]["message"], sms.body)

    def test_receipt_asked_for_after_the_order_was_synced(self):
        """Online: the order is synced at payment, then the cashier asks for
        the receipt; the register syncs the paid order again with the request."""
        order_data = self._ui_order(self.session, self.customer)
        order = self._sync(order_data)
        self.assertFalse(self._receipt_sms(order), "nobody asked for it yet")

        order_data["intellipush_receipt_sms_number"] = "+47 412 34 567"
        self._sync(order_data)
        self._sync(order_data)
        self.assertEqual(len(self._receipt_sms(order)), 1)

        # A mistyped number corrected by the cashier: that is a new request.
        order_data["intellipush_receipt_sms_number"] = "934 56 789"
        self._sync(order_data)
        self.assertEqual(self._receipt_sms(order).sorted("id").mapped("number"), ["+4741234567", "+4793456789"])

    def test_register_cannot_mark_a_request_handled(self):
        order_data = self._ui_order(self.session, self.customer, receipt_number="412 34 567")
        order_data["intellipush_receipt_sms_sent_number"] = "412 34 567"
        order = self._sync(order_data)
        self.assertEqual(len(self._receipt_sms(order)), 1)

    def test_walk_in_customer_gets_the_receipt_at_the_number_typed(self):
        order = self._sync(self._ui_order(self.session, receipt_number="934 56 789"))

        sms = self._receipt_sms(order)
        self.assertEqual(sms.number, "+4793456789")
        self.assertFalse(sms.partner_id)
        self.assertTrue(sms.body.startswith("Hei! Takk for handelen."), sms.body)

    def test_invalid_number_is_noted_on_the_order(self):
        order = self._sync(self._ui_order(self.session, self.customer, receipt_number="123"))

        self.assertFalse(self._receipt_sms(order))
        self.assertIn("123 is not a valid mobile number", order.message_ids[0].body)
        self.assertEqual(order.intellipush_receipt_sms_sent_number, "123", "handled: not tried again")
        self.assertFalse(order.intellipush_receipt_sms_sent_at)

    def test_a_broken_template_never_stops_the_sale(self):
        self.receipt_template.body = "Kvittering {{ object.no_such_field }}"
        order_data = self._ui_order(self.session, self.customer, receipt_number="412 34 567")

        with mute_logger(
            "odoo.addons.intellipush_sms_pos.models.pos_order", "odoo.addons.mail.models.mail_render_mixin"
        ):
            order = self._sync(order_data)

        self.assertEqual(order.state, "paid", "the order is saved")
        self.assertFalse(self._receipt_sms(order))
        self.assertIn("The receipt could not be sent by SMS", order.message_ids[0].body)
        self._sync(order_data)
        self.assertEqual(len(order.message_ids.filtered(lambda m: "could not be sent" in (m.body or ""))), 1)

    def test_receipt_after_every_payment(self):
        self.shop.intellipush_auto_receipt_sms = True
        no_mobile = self.env["res.partner"].create({"name": "Per Uten Mobil"})
        with_mobile, walk_in, without_mobile = self._sync(
            self._ui_order(self.session, self.customer),
            self._ui_order(self.session),
            self._ui_order(self.session, no_mobile),
        ).sorted("id")

        self.assertEqual(self._receipt_sms(with_mobile).number, "+4741234567")
        self.assertFalse(self._receipt_sms(walk_in))
        self.assertFalse(self._receipt_sms(without_mobile))
        self.assertFalse(without_mobile.message_ids.filtered(lambda message: "SMS" in (message.body or "")))
        with_mobile._intellipush_send_receipt_sms()
        self.assertEqual(len(self._receipt_sms(with_mobile)), 1, "once per order")

    def test_receipt_link_opens_the_receipt(self):
        order = self._sync(self._ui_order(self.session, self.customer, receipt_number="412 34 567"))
        body = self._receipt_sms(order).body
        code = re.search(r"/r/(\w+)", body).group(1)
        url = self.env["link.tracker.code"].search([("code", "=", code)]).link_id.url
        self.assertIn(f"/pos/receipt/{order.id}?access_token=", url)

        page = self.url_open(url.removeprefix(order.get_base_url()))
        self.assertEqual(page.status_code, 200)
        self.assertIn(order.pos_reference, page.text)
        self.assertIn("Sykkellykt", page.text)
        self.assertIn("249", page.text)

        forged = self.url_open(f"/pos/receipt/{order.id}?access_token=not-the-token")
        self.assertEqual(forged.status_code, 404)

    def test_receipt_link_with_a_garbled_token_is_not_found(self):
        order = self._sync(self._ui_order(self.session, self.customer))
        for token in ("ø", "%C3%B8", "%00", "", "%FF", f"{order.access_token}ø"):
            with self.subTest(token=token):
                self.assertEqual(self.url_open(f"/pos/receipt/{order.id}?access_token={token}").status_code, 404)
        self.assertEqual(self.url_open("/pos/receipt/0?access_token=ø").status_code, 404)

    def test_shops_on_odoo_receipt_text_get_the_norwegian_one(self):
        odoo_text = self.env.ref("pos_sms.sms_template_data_point_of_sale")
        own_text = self.receipt_template.copy({"name": "Egen kvittering"})
        english, own, none = self.env["pos.config"].create(
            [
                {"name": "Butikk Engelsk", "sms_receipt_template_id": odoo_text.id},
                {"name": "Butikk Egen", "sms_receipt_template_id": own_text.id},
                {"name": "Butikk Ny"},
            ]
        )
        none.sms_receipt_template_id = False

        _post_init_hook(self.env)

        self.assertEqual(english.sms_receipt_template_id, self.receipt_template)
        self.assertEqual(own.sms_receipt_template_id, own_text, "a shop's own text is kept")
        self.assertEqual(none.sms_receipt_template_id, self.receipt_template)
        self.assertEqual(
            self.env["pos.config"].create({"name": "Butikk Senere"}).sms_receipt_template_id,
            self.receipt_template,
            "new shops start with it",
        )
