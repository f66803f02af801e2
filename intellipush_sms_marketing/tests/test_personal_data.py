import base64
import json

from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import CAMPAIGN_LINK, create_customers, create_list_sms_mailing, create_sms_mailing

ASTRID = ("0047", "40081000")
PER = ("0047", "40081001")


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignAfterErasure(IntellipushCase):
    """Astrid got a campaign, clicked its link, texted STOPP and asked to be
    erased. Months later the shop imports its old customer club, which has
    her number: the next campaign must not reach her."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, name="Demobutikk", intellipush_keyword="BUTIKK")
        cls.astrid, cls.per = create_customers(cls.env, 2, first_number=40081000)

    def _erase(self, number):
        request = self.env["intellipush.personal.data.request"].create(
            {"number": number, "confirm_erasure": True, "reason": "E-post fra kunden"}
        )
        request.action_erase()
        return request

    def _club_campaign(self):
        club = self.env["mailing.list"].create(
            {
                "name": "Gammel kundeklubb",
                "intellipush_consent_list": True,
                "intellipush_consent_proof": "Meldt på ved kassen: «Ja, send meg tilbud på SMS» (2023)",
                "contact_ids": [
                    (0, 0, {"name": "Astrid", "mobile": "+47 400 81 000"}),
                    (0, 0, {"name": "Per", "mobile": "+47 400 81 001"}),
                ],
            }
        )
        return create_list_sms_mailing(self.env, club)

    def test_erasure_then_a_campaign_skips_the_erased_opted_out_number(self):
        julesalg = create_sms_mailing(
            self.env, "Julesalg", "Julesalg i dag! https://butikk.example/jul", self.astrid | self.per
        )
        julesalg.action_send_sms()
        self._process_queue()
        code, sms_id = CAMPAIGN_LINK.search(
            next(msg["message"] for msg in self.sandbox.messages() if msg["phonenumber"] == ASTRID[1])
        ).groups()
        self.sandbox.add_inbound(*ASTRID, "BUTIKK STOPP")
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()
        trace = julesalg.mailing_trace_ids.filtered(lambda trace: trace.sms_id_int == int(sms_id))
        self.env["link.tracker.click"].sudo().add_click(
            code, ip="193.69.1.2", country_code="NO", mailing_trace_id=trace.id
        )

        request = self.env["intellipush.personal.data.request"].create({"number": "+47 400 81 000"})
        request.action_export()
        document = json.loads(base64.b64decode(request.export_file))
        self.assertEqual(document["counts"]["campaigns"], 1)
        self.assertEqual([row["ip"] for row in document["data"]["clicks"]["records"]], ["193.69.1.2"])
        self._erase("+47 400 81 000")

        trace.invalidate_recordset()
        self.assertFalse(trace.sms_number)
        self.assertEqual(trace.links_click_ids.mapped("ip"), [False], "the click still counts, from nowhere")
        self.assertEqual(julesalg.clicked, 1, "the campaign's figures stay")
        self.assertFalse(self.astrid.mobile)

        self.sandbox.reset()
        vaarsalg = self._club_campaign()
        self.assertIn("1 skipped: Blacklisted", vaarsalg.intellipush_cost_summary)
        vaarsalg.action_send_sms()
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [PER], "the erased number's opt-out held")
        skipped = self.env["sms.sms"].search([("mailing_id", "=", vaarsalg.id), ("state", "=", "canceled")])
        self.assertEqual(skipped.failure_type, "sms_blacklist")

    def test_the_erased_number_leaves_the_mailing_lists(self):
        campaign = self._club_campaign()
        self._erase("40081001")
        self.assertEqual(campaign.contact_list_ids.contact_ids.mapped("name"), ["Astrid"])
