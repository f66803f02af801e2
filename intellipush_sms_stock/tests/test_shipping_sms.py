import re

from odoo import Command
from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestShippingSms(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Sykkelhjelm", "type": "consu", "is_storable": True, "list_price": 899}
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 10)
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Posten",
                "delivery_type": "fixed",
                "product_id": cls.env["product.product"].create({"name": "Frakt", "type": "service"}).id,
                "tracking_url": "https://sporing.posten.no/sporing/<shipmenttrackingnumber>",
            }
        )

    def _confirmed_order(self):
        self.company.intellipush_order_sms = False  # only the shipping SMS here
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_kari.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        return order

    def _validate(self, picking):
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _sms_on(self, picking):
        return self.env["sms.sms"].search(
            [("mail_message_id.model", "=", "stock.picking"), ("mail_message_id.res_id", "=", picking.id)]
        )

    def test_shipped_sms_with_tracking_link_once(self):
        order = self._confirmed_order()
        delivery = order.picking_ids
        delivery.write({"carrier_id": self.carrier.id, "carrier_tracking_ref": "70712345678901234"})

        self._validate(delivery)

        sms = self._sms_on(delivery)
        self.assertEqual(len(sms), 1)
        self.assertTrue(sms.body.startswith(f"Hei Kari! Ordren {order.name} er sendt. Spor pakken: "), sms.body)
        code = re.search(r"/r/(\w+)", sms.body).group(1)
        link = self.env["link.tracker.code"].search([("code", "=", code)]).link_id
        self.assertEqual(link.url, "https://sporing.posten.no/sporing/70712345678901234")
        self.assertEqual(sms.sms_purpose, "transactional")
        self.assertTrue(delivery.intellipush_sms_sent)

        delivery._intellipush_send_shipping_sms()
        self.assertEqual(len(self._sms_on(delivery)), 1, "sent once per transfer")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])

    def test_packed_then_shipped_in_a_two_step_delivery(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._confirmed_order()
        pick = order.picking_ids
        self.assertEqual(pick.picking_type_id, self.warehouse.pick_type_id)

        self._validate(pick)
        self.assertIn("er pakket og sendes snart", self._sms_on(pick).body)
        ship = order.picking_ids.filtered(lambda picking: picking.picking_type_code == "outgoing")
        self.assertFalse(self._sms_on(ship))

        self._validate(ship)
        shipped = self._sms_on(ship)
        self.assertEqual(shipped.body, f"Hei Kari! Ordren {order.name} er sendt. Hilsen {self.company.name}")

    def test_switched_off(self):
        self.company.intellipush_shipping_sms = False
        order = self._confirmed_order()
        self._validate(order.picking_ids)
        self.assertFalse(self._sms_on(order.picking_ids))
