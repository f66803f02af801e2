"""Shared fixtures: Odoo's POS test shop, sending through a real Intellipush sandbox."""

import copy
import uuid

from odoo import Command, fields

from odoo.addons.intellipush_sms.tests.common import IntellipushSandboxMixin
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


class IntellipushPosCase(IntellipushSandboxMixin, TestPointOfSaleHttpCommon):
    """Odoo's POS shop ("Shop", cashier ``pos_user``) with SMS receipts and
    quick SMS switched on, its company connected to the sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.main_pos_config
        cls.company = cls.shop.company_id
        cls.wallet = cls._connect_company(cls.company)
        cls.receipt_template = cls.env.ref("intellipush_sms_pos.sms_template_pos_receipt")
        cls.pickup_template = cls.env.ref("intellipush_sms_pos.sms_template_pos_ready_for_pickup")
        cls.shop.write(
            {
                "module_pos_sms": True,
                "sms_receipt_template_id": cls.receipt_template.id,
                "intellipush_quick_template_ids": [Command.set(cls.pickup_template.ids)],
            }
        )
        # Cashiers edit customers at the counter.
        cls.pos_user.groups_id += cls.env.ref("base.group_partner_manager")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id}
        )
        cls.lamp = cls.env["product.product"].create(
            {
                "name": "Sykkellykt",
                "available_in_pos": True,
                "list_price": 249.0,
                "taxes_id": False,
                "pos_categ_ids": [Command.set(cls.pos_cat_desk_test.ids)],
            }
        )
        cls.cash = cls.shop.payment_method_ids.filtered("is_cash_count")[:1]

    def setUp(self):
        super().setUp()
        self.sandbox.reset()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _ui_order(self, session, partner=None, receipt_number=None, quantity=1):
        """A paid order as the register syncs it (``pos.order.sync_from_ui``)."""
        total = self.lamp.list_price * quantity
        order_uuid = str(uuid.uuid4())
        return {
            "uuid": order_uuid,
            "name": f"Order {order_uuid[:5]}-001-0001",
            "session_id": session.id,
            "sequence_number": 1,
            "user_id": self.pos_user.id,
            "partner_id": partner.id if partner else False,
            "pricelist_id": self.shop.pricelist_id.id,
            "fiscal_position_id": False,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": total,
            "to_invoice": False,
            "last_order_preparation_change": "{}",
            "state": "paid",
            "lines": [
                Command.create(
                    {
                        "product_id": self.lamp.id,
                        "qty": quantity,
                        "price_unit": self.lamp.list_price,
                        "price_subtotal": total,
                        "price_subtotal_incl": total,
                        "tax_ids": [],
                        "pack_lot_ids": [],
                    }
                )
            ],
            "payment_ids": [
                Command.create({"amount": total, "name": fields.Datetime.now(), "payment_method_id": self.cash.id})
            ],
            "intellipush_receipt_sms_number": receipt_number or False,
        }

    def _sync(self, *orders):
        """Sync these orders as the cashier's register does; a deep copy each
        time, since Odoo consumes the payload."""
        self.env["pos.order"].with_user(self.pos_user).sync_from_ui(copy.deepcopy(list(orders)))
        return self.env["pos.order"].search([("uuid", "in", [order["uuid"] for order in orders])])

    def _receipt_sms(self, order):
        return self.env["sms.sms"].search(
            [("mail_message_id.model", "=", "pos.order"), ("mail_message_id.res_id", "=", order.id)]
        )

    def _process_queue(self):
        return self.env["sms.sms"]._cron_intellipush_dispatch()
