"""Revenue per campaign: the orders of a customer within the attribution
window after their click on a campaign link count for that campaign (the
last click wins), in the company's currency, per credit spent, in the
results, the analysis and the Excel export."""

import io
import re
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import WHATSAPP_PREVIEW, CampaignLinkMixin, create_sms_mailing, visit_campaign_link

WINDOW = timedelta(days=7)
SECOND = timedelta(seconds=1)


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignRevenue(CampaignLinkMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Sykkelhjelm", "type": "consu", "list_price": 800.0, "taxes_id": [Command.clear()]}
        )
        # Clicks are stamped at a whole second some weeks ago, as orders are.
        cls.clicked_at = fields.Datetime.now().replace(microsecond=0) - timedelta(days=30)

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _order(self, partner, at, amount, **values):
        """A confirmed sales order of ``partner`` placed at ``at``, untaxed ``amount``."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "price_unit": amount, "tax_id": [Command.clear()]})
                ],
                **values,
            }
        )
        order.action_confirm()
        order.date_order = at  # confirming stamps the order with the present
        return order

    def _send(self, subject):
        mailing = create_sms_mailing(self.env, subject, f"{subject}: https://butikk.example/{subject}", self.customers)
        mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        return mailing

    def _results(self, mailing):
        mailing.invalidate_recordset()
        return mailing.intellipush_orders, mailing.intellipush_revenue

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_an_order_one_second_inside_the_window_counts_one_second_outside_not(self):
        kari = self.customers[0]
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        self._order(kari, self.clicked_at - SECOND, 100.0)  # before the click
        inside = self._order(kari, self.clicked_at + WINDOW - SECOND, 1000.0)
        at_the_edge = self._order(kari, self.clicked_at + WINDOW, 200.0)
        self._order(kari, self.clicked_at + WINDOW + SECOND, 10000.0)
        self._order(self.customers[1], self.clicked_at + SECOND, 5000.0)  # received the SMS, did not click

        self.assertEqual(self._results(self.mailing), (2, 1200.0))
        action = self.mailing.action_intellipush_attributed_orders()
        rows = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(rows.mapped("order_ref"), [at_the_edge, inside])
        self.assertEqual(set(rows.mapped("clicked_at")), {self.clicked_at})
        self.assertEqual(rows.partner_id, kari)
        opened = rows[1].action_intellipush_open_order()
        self.assertEqual((opened["res_model"], opened["res_id"]), ("sale.order", inside.id))

    def test_an_order_of_the_recipients_company_counts(self):
        kari = self.customers[0]
        shop = self.env["res.partner"].create({"name": "Nordmann Sykler AS", "is_company": True})
        kari.parent_id = shop
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        self._order(shop, self.clicked_at + timedelta(days=2), 2500.0)
        self.assertEqual(self._results(self.mailing), (1, 2500.0), "the recipient's commercial partner ordered")

    def test_a_shorter_window_of_the_company(self):
        self.assertEqual(self.env["res.config.settings"].create({}).intellipush_attribution_days, 7)
        kari = self.customers[0]
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        self._order(kari, self.clicked_at + timedelta(days=4), 400.0)
        self.assertEqual(self._results(self.mailing), (1, 400.0))
        self.env.company.intellipush_attribution_days = 3
        self.assertEqual(self._results(self.mailing), (0, 0.0))
        with self.assertRaises(ValidationError):
            self.env.company.intellipush_attribution_days = 0

    def test_a_bots_visit_attributes_nothing(self):
        kari = self.customers[0]
        visit_campaign_link(self, self.mailing, kari, self.clicked_at, agent=WHATSAPP_PREVIEW)
        self._order(kari, self.clicked_at + timedelta(hours=1), 1000.0)
        self.assertEqual(self.mailing.intellipush_bot_visits, 1)
        self.assertEqual(self._results(self.mailing), (0, 0.0))

    def test_the_last_click_before_an_order_wins(self):
        kari = self.customers[0]
        winter = self._send("Vintersalg")
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        visit_campaign_link(self, winter, kari, self.clicked_at + timedelta(days=1))
        self._order(kari, self.clicked_at + timedelta(hours=12), 300.0)  # between the clicks
        self._order(kari, self.clicked_at + timedelta(days=2), 700.0)
        self.assertEqual(self._results(self.mailing), (1, 300.0))
        self.assertEqual(self._results(winter), (1, 700.0))

    def test_an_order_in_another_currency_counts_at_its_rate(self):
        company = self.env.company
        currency = self.env.ref("base.EUR" if company.currency_id.name != "EUR" else "base.USD")
        currency.active = True
        order_date = self.clicked_at + timedelta(days=1)
        self.env["res.currency.rate"].search(
            [("currency_id", "=", currency.id), ("company_id", "in", (company.id, False))]
        ).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "company_id": company.id, "name": order_date.date(), "rate": 0.8}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Eksport", "currency_id": currency.id})
        kari = self.customers[0]
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        order = self._order(kari, order_date, 1000.0, pricelist_id=pricelist.id)
        self.assertEqual((order.currency_id, order.amount_untaxed), (currency, 1000.0))

        self.assertEqual(self._results(self.mailing), (1, 1250.0), "1000 at 0.8 to the company's currency")
        self.assertEqual(self.mailing.intellipush_revenue_currency_id, company.currency_id)

    def test_revenue_per_credit_in_the_results_analysis_and_export(self):
        kari = self.customers[0]
        visit_campaign_link(self, self.mailing, kari, self.clicked_at)
        self._order(kari, self.clicked_at + timedelta(days=1), 999.0)
        self.mailing.invalidate_recordset()
        # The credits of the campaign's SMS, unrounded (the form shows two decimals).
        sms = self.env["sms.sms"].search([("mailing_id", "=", self.mailing.id), ("credit_state", "=", "debited")])
        credits = sum(sms.mapped("credit_cost"))
        self.assertGreater(credits, 0)
        self.assertAlmostEqual(self.mailing.intellipush_credits_spent, credits, places=2)
        per_credit = 999.0 / credits
        self.assertAlmostEqual(self.mailing.intellipush_revenue_per_credit, per_credit, places=2)

        report = self.env["intellipush.campaign.report"].search([("mailing_id", "=", self.mailing.id)])
        self.assertEqual((report.orders, report.revenue), (1, 999.0))
        self.assertAlmostEqual(report.revenue_per_credit, per_credit, places=2)

        export = self.mailing.action_intellipush_export_xlsx()
        attachment_id = int(re.search(r"/web/content/(\d+)", export["url"]).group(1))
        workbook = openpyxl.load_workbook(io.BytesIO(self.env["ir.attachment"].browse(attachment_id).raw))
        header, row = (list(values) for values in workbook.worksheets[0].iter_rows(max_row=2, values_only=True))
        figures = dict(zip(header, row, strict=True))
        self.assertEqual(figures["Orders"], 1)
        self.assertEqual(figures["Revenue (excl. VAT)"], 999.0)
        self.assertAlmostEqual(figures["Revenue per credit"], per_credit, places=6)
