from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestSegmentation(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category_model = cls.env["product.category"]
        cls.bikes = category_model.create({"name": "Sykler"})
        cls.helmets = category_model.create({"name": "Hjelmer"})
        product_model = cls.env["product.product"]
        cls.bike = product_model.create({"name": "Sykkel", "type": "service", "categ_id": cls.bikes.id})
        cls.helmet = product_model.create({"name": "Hjelm", "type": "service", "categ_id": cls.helmets.id})

    def _order(self, partner, product, price, when):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "date_order": when,
                "order_line": [Command.create({"product_id": product.id, "price_unit": price, "tax_id": []})],
            }
        )
        order.action_confirm()
        order.date_order = when
        return order

    def _commit_hooks(self):
        # What runs just before a commit, which the test transaction never does.
        self.env.cr.precommit.run()

    def test_figures_follow_orders_and_invoices(self):
        self.company.intellipush_order_sms = False
        first = self._order(self.partner_kari, self.bike, 8000, "2026-03-01 10:00:00")
        self._order(self.partner_kari, self.helmet, 1000, "2026-10-15 10:00:00")
        self._commit_hooks()

        kari = self.partner_kari
        self.assertEqual(kari.sms_order_count, 2)
        self.assertEqual(kari.sms_first_order_date, date(2026, 3, 1))
        self.assertEqual(kari.sms_last_order_date, date(2026, 10, 15))
        self.assertEqual(kari.sms_average_order, 4500)
        self.assertEqual(kari.sms_category_ids, self.bikes | self.helmets)
        self.assertEqual(kari.sms_total_revenue, 0, "nothing invoiced yet")

        invoice = first._create_invoices()
        invoice.action_post()
        self._commit_hooks()
        self.assertEqual(kari.sms_total_revenue, 8000)

        first._action_cancel()
        self._commit_hooks()
        self.assertEqual(kari.sms_order_count, 1)
        self.assertEqual(kari.sms_category_ids, self.helmets)

        partners = self.env["res.partner"].search(
            [("sms_order_count", ">", 0), ("sms_category_ids", "child_of", self.helmets.id)]
        )
        self.assertEqual(partners, kari, "filterable without code")

    def test_full_refresh_matches_and_handles_direct_sql(self):
        self.company.intellipush_order_sms = False
        self._order(self.partner_ola, self.bike, 5000, "2026-05-05 12:00:00")
        self.env.flush_all()
        # An import or a script that bypasses the ORM: the nightly job catches it.
        self.env.cr.execute(
            "UPDATE res_partner SET sms_order_count = 0, sms_total_revenue = 99 WHERE id = %s", [self.partner_ola.id]
        )
        self.env["res.partner"]._cron_intellipush_refresh_segments()
        self.assertEqual((self.partner_ola.sms_order_count, self.partner_ola.sms_total_revenue), (1, 0))
        self.assertEqual(self.partner_sofia.sms_order_count, 0)

    def test_age_bands(self):
        # Ages from today, so the bands hold in any year (and on 29 February).
        today = fields.Date.context_today(self.partner_ola)
        self.partner_kari.sms_birthdate = today - relativedelta(years=40)
        self.partner_ola.sms_birthdate = today - relativedelta(years=16)
        self.assertEqual(self.partner_kari.sms_age_band, "35_44")
        self.assertEqual(self.partner_ola.sms_age_band, "0_17")
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET sms_age_band = NULL WHERE id = %s", [self.partner_kari.id])
        self.env["res.partner"]._cron_intellipush_refresh_segments()
        self.assertEqual(self.partner_kari.sms_age_band, "35_44", "the nightly job moves contacts between bands")

    def test_segment_as_recipients(self):
        self.company.intellipush_order_sms = False
        self._order(self.partner_kari, self.bike, 8000, "2026-03-01 10:00:00")
        self._order(self.partner_kari, self.bike, 9000, "2026-04-01 10:00:00")
        self._order(self.partner_ola, self.helmet, 900, "2026-04-01 10:00:00")
        self._commit_hooks()
        loyal = self.env["intellipush.sms.segment"].create(
            {"name": "Faste kunder", "domain": repr([("sms_order_count", ">=", 2)])}
        )
        self.assertEqual(loyal.partner_count, 1)
        send = self.env["intellipush.sms.send"].create(
            {
                "name": "Takk",
                "body": "Takk for at du handler hos oss!",
                "segment_ids": [(6, 0, loyal.ids)],
                "sms_purpose": "transactional",
                "transactional_reason": "Kvittering for kundeforholdet",
            }
        )
        self.assertEqual(send.recipient_count, 1)
        send.action_send()
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
