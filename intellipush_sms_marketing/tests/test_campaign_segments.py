import base64
import io
import re

import openpyxl

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignSegments(IntellipushCase):
    """A saved segment as the recipients of an SMS Marketing mailing, the
    credits a campaign spent, and the column titles of its Excel export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.intellipush_optout_footer = "Svar STOPP til 2160"
        cls.drammen = create_customers(cls.env, 3, first_number=41300000, prefix="Drammen")
        cls.drammen_no_consent = create_customers(cls.env, 1, first_number=41310000, consent="none", prefix="Drammen")
        cls.oslo = create_customers(cls.env, 4, first_number=41320000, prefix="Oslo")
        (cls.drammen | cls.drammen_no_consent).city = "Drammen"
        cls.oslo.city = "Oslo"
        cls.segment = cls.env["intellipush.sms.segment"].create(
            {"name": "Kunder i Drammen", "domain": repr([("city", "=", "Drammen")])}
        )

    def _sms_mailing_form(self):
        return Form(
            self.env["mailing.mailing"].with_context(default_mailing_type="sms", mailing_sms=True),
            view="mass_mailing_sms.mailing_mailing_view_form_sms",
        )

    def test_a_mailing_to_a_segment_reaches_exactly_its_contacts(self):
        with self._sms_mailing_form() as form:
            form.sms_subject = "Åpning i Drammen"
            form.body_plaintext = "Ny butikk i Drammen: 20 % på alt i dag!"
            form.mailing_model_id = self.env.ref("base.model_res_partner")
            form.intellipush_segment_id = self.segment
            # What the form shows beside the recipients: the segment's conditions and its cost.
            self.assertIn("'city', '=', 'Drammen'", form.mailing_domain)
            self.assertIn("3 SMS", form.intellipush_cost_summary)
            self.assertIn("1 skipped", form.intellipush_cost_summary)
        mailing = form.record
        self.assertEqual(mailing.intellipush_segment_id, self.segment)

        # Recipients are the segment's contacts as it is when the mailing goes.
        (self.drammen[:1]).city = "Lier"
        self.oslo[:1].city = "Drammen"
        self.segment.domain = repr([("city", "in", ("Drammen", "Lier"))])
        self.assertIn("'Lier'", mailing.mailing_domain, "an unsent mailing follows its segment")
        self.assertIn("4 SMS", mailing.intellipush_cost_summary)

        mailing.action_send_sms()
        self._process_queue()
        expected = {partner.mobile.replace(" ", "")[3:] for partner in self.drammen | self.oslo[:1]}
        self.assertEqual({number for _code, number in self.sandbox_numbers()}, expected)
        self.assertEqual(len(self.sandbox.messages()), 4, "each contact of the segment once, nobody else")
        skipped = self.env["sms.sms"].search([("mailing_id", "=", mailing.id), ("state", "=", "canceled")])
        self.assertEqual(skipped.partner_id, self.drammen_no_consent, "the segment's contact without consent")

    def test_picking_a_segment_chooses_contacts_as_recipients(self):
        with self._sms_mailing_form() as form:
            form.sms_subject = "Åpning i Drammen"
            form.body_plaintext = "Ny butikk i Drammen!"
            self.assertEqual(form.mailing_model_id, self.env.ref("mass_mailing.model_mailing_list"), "Odoo's default")
            form.intellipush_segment_id = self.segment
            self.assertEqual(form.mailing_model_id, self.env.ref("base.model_res_partner"))
            self.assertIn("'city', '=', 'Drammen'", form.mailing_domain)
            self.assertIn("3 SMS", form.intellipush_cost_summary)
        self.assertEqual(form.record.intellipush_segment_id, self.segment)

    def test_a_segment_is_for_contact_mailings_only(self):
        mailing = create_sms_mailing(self.env, "Åpning", "Ny butikk!", self.drammen)
        mailing.intellipush_segment_id = self.segment
        self.assertIn("Drammen", mailing.mailing_domain)
        mailing.mailing_model_id = self.env.ref("mass_mailing.model_mailing_list")
        self.assertFalse(mailing.intellipush_segment_id, "another recipient model drops the segment")
        with self.assertRaises(ValidationError):
            mailing.intellipush_segment_id = self.segment

    def test_credits_spent_are_the_debited_credits(self):
        # Two segments each: the credits spent are those the wallet debited,
        # not an estimate.
        mailing = create_sms_mailing(self.env, "Vårsalg", "Vårsalg! " + "x" * 150, self.drammen | self.oslo)
        balance_before = self.wallet.balance
        mailing.action_send_sms()
        self._process_queue()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})
        debits = self.env["intellipush.credit.ledger"].search([("sms_id", "in", sms.ids), ("entry_type", "=", "debit")])
        debited = -sum(debits.mapped("amount"))
        self.assertGreater(debited, 0)
        mailing.invalidate_recordset()
        self.assertAlmostEqual(mailing.intellipush_credits_spent, debited, places=2)
        self.assertAlmostEqual(mailing.intellipush_credits_spent, sum(sms.mapped("credit_cost")), places=2)
        self.wallet.invalidate_recordset()
        self.assertAlmostEqual(balance_before - self.wallet.balance, debited, places=4)

    def test_demo_campaign_sms_go_through_the_gateway(self):
        """The demo's finished campaigns get their SMS through the gateway:
        consenting contacts delivered and debited, the others skipped."""
        mailing = create_sms_mailing(self.env, "Julesalg", "Julesalg hos oss: 30 % på alt!", self.drammen)
        mailing.state = "done"
        sent_at = "2026-11-12 09:01:00"
        self.env["mailing.trace"].create(
            [
                {
                    "trace_type": "sms",
                    "model": "res.partner",
                    "res_id": partner.id,
                    "mass_mailing_id": mailing.id,
                    "sms_number": partner.phone_sanitized,
                    "trace_status": "sent",
                    "sent_datetime": sent_at,
                }
                for partner in self.drammen | self.drammen_no_consent
            ]
        )
        balance_before, reserved_before = self.wallet.balance, self.wallet.reserved

        mailing._intellipush_demo_deliver()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms), 4)
        delivered = sms.filtered(lambda record: record.state == "sent")
        self.assertEqual(delivered.partner_id, self.drammen)
        self.assertEqual(set(delivered.mapped("credit_state")), {"debited"})
        mailing.invalidate_recordset()
        self.wallet.invalidate_recordset()
        self.assertAlmostEqual(mailing.intellipush_credits_spent, balance_before - self.wallet.balance, places=2)
        self.assertGreater(mailing.intellipush_credits_spent, 0)
        self.assertAlmostEqual(self.wallet.reserved, reserved_before, places=4, msg="no reservation left behind")
        skipped = mailing.mailing_trace_ids.filtered(lambda trace: trace.res_id == self.drammen_no_consent.id)
        self.assertEqual((skipped.trace_status, skipped.failure_type), ("cancel", "sms_optout"))
        self.assertEqual(mailing.delivered, 3)

    def test_a_mailing_is_marketing_even_if_asked_otherwise(self):
        mailing = create_sms_mailing(
            self.env, "Tilbud", "Tilbud til alle i Drammen!", self.drammen | self.drammen_no_consent
        )
        values = mailing._send_sms_get_composer_values(mailing._get_remaining_recipients())
        composer = self.env["sms.composer"].create({**values, "sms_purpose": "transactional"})
        composer._action_send_sms()
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.mapped("sms_purpose")), {"marketing"})
        refused = sms.filtered(lambda record: record.state == "canceled")
        self.assertEqual(refused.partner_id, self.drammen_no_consent, "consent is never skipped")
        self.assertEqual(refused.failure_type, "sms_optout")
        # Created directly, with a mailing, the SMS is marketing as well.
        direct = (
            self.env["sms.sms"]
            .with_context(intellipush_sms_purpose="transactional")
            .create({"number": "+4741310000", "body": "Tilbud!", "mailing_id": mailing.id})
        )
        self.assertEqual((direct.sms_purpose, direct.state), ("marketing", "canceled"))

    def test_excel_header_titles_are_distinct(self):
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.drammen)
        mailing.action_send_sms()
        self._process_queue()
        mailing.state = "done"
        action = mailing.action_intellipush_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(re.search(r"/web/content/(\d+)", action["url"]).group(1)))
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        for sheet in workbook.worksheets:
            header = [cell.value for cell in sheet[1]]
            self.assertEqual(len(header), len(set(header)), f"{sheet.title}: {header}")
        header = [cell.value for cell in workbook.worksheets[0][1]]
        self.assertIn("Date Sent", header)
        self.assertIn("SMS Sent", header)
        self.assertIn("Credits Spent", header)
        row = dict(zip(header, (cell.value for cell in workbook.worksheets[0][2]), strict=True))
        self.assertEqual(row["SMS Sent"], 3)
        self.assertAlmostEqual(row["Credits Spent"], mailing.intellipush_credits_spent, places=2)
