from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import WEB_FORM_PROOF


@tagged("post_install", "-at_install", "intellipush")
class TestMailingListRecipients(IntellipushCase):
    def test_subscribed_contacts_of_mailing_lists_receive_the_send(self):
        newsletter = self.env["mailing.list"].create(
            {
                "name": "Nyhetsbrev",
                "contact_ids": [
                    (0, 0, {"name": "Astrid Lie", "mobile": "+47 400 00 021"}),
                    (0, 0, {"name": "Kari Nordmann", "mobile": "+47 412 34 567"}),  # also a selected contact
                    (0, 0, {"name": "Uten Mobil", "email": "uten@example.no"}),
                    (0, 0, {"name": "Har Meldt Seg Av", "mobile": "+47 400 00 022"}),
                ],
            }
        )
        left = newsletter.subscription_ids.filtered(lambda sub: sub.contact_id.name == "Har Meldt Seg Av")
        left.opt_out = True
        send = self.env["intellipush.sms.send"].create(
            {
                "name": "Nyhetsbrev desember",
                "body": "Nytt nyhetsbrev!",
                "partner_ids": [(6, 0, self.partner_kari.ids)],
                "mailing_list_ids": [(6, 0, newsletter.ids)],
                "sms_purpose": "transactional",
                "transactional_reason": "Medlemsinformasjon fra klubben",
            }
        )
        self.assertEqual(send.recipient_count, 2, "Kari once, Astrid; not the one who left the list")
        self.assertIn("Uten Mobil", send.invalid_recipients)

        send.action_send()
        self._process_queue()
        self.assertEqual(sorted(self.sandbox_numbers()), [("0047", "40000021"), ("0047", "41234567")])

    def test_sms_marketing_mailing_is_marketing(self):
        self.partner_kari.write(
            {
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": WEB_FORM_PROOF,
            }
        )
        self.company.intellipush_optout_footer = "Svar BUTIKK STOPP til 2160"
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Julesalg",
                "mailing_type": "sms",
                "body_plaintext": "Julesalg: 30 % på alt!",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", (self.partner_kari | self.partner_ola).ids)]),
            }
        )
        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        kari = sms.filtered(lambda record: record.partner_id == self.partner_kari)
        ola = sms.filtered(lambda record: record.partner_id == self.partner_ola)
        self.assertEqual((kari.state, kari.sms_purpose), ("outgoing", "marketing"))
        self.assertTrue(kari.body.endswith("Svar BUTIKK STOPP til 2160"))
        self.assertEqual((ola.state, ola.failure_type), ("canceled", "sms_optout"), "no consent, no marketing")
        trace = mailing.mailing_trace_ids.filtered(lambda trace: trace.res_id == self.partner_ola.id)
        self.assertEqual(trace.failure_type, "sms_optout")

    def test_mailing_test_sms_goes_through_intellipush(self):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Julesalg",
                "mailing_type": "sms",
                "body_plaintext": "Julesalg: 30 % på alt!",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        self.env["mailing.sms.test"].create(
            {"mailing_id": mailing.id, "numbers": "+47 412 34 567\nfeil"}
        ).action_send_sms()
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
        self.assertIn("Test SMS queued for +4741234567", mailing.message_ids[0].body)
        self.assertIn("not correctly encoded: feil", mailing.message_ids[0].body)
