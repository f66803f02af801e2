import base64
import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import IntellipushCase

KARI = ("0047", "41234567")


@tagged("post_install", "-at_install", "intellipush")
class TestPersonalData(IntellipushCase):
    """A person asks what is held on their number, then for its erasure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, name="Demobutikk", intellipush_keyword="BUTIKK")
        cls.manager = new_test_user(
            cls.env, "sms_gdpr_manager", groups="base.group_user,intellipush_sms.group_intellipush_manager"
        )
        cls.clerk = new_test_user(
            cls.env, "sms_gdpr_clerk", groups="base.group_user,intellipush_sms.group_intellipush_user"
        )
        cls.partner_kari.write(
            {"sms_consent_state": "granted", "sms_consent_channel": "web_form", "sms_consent_proof": "Skjema på nett"}
        )

    def _receive(self, text, number=KARI):
        self.sandbox.add_inbound(*number, text)
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

    def _request(self, number, user=None):
        return self.env["intellipush.personal.data.request"].with_user(user or self.manager).create({"number": number})

    def _export(self, request):
        action = request.action_export()
        self.assertIn("/export_file/", action["url"])
        return json.loads(base64.b64decode(request.export_file))

    def _kari_history(self):
        """Kari got an order SMS and texted STOPP."""
        self.partner_kari._message_sms("Hei Kari! Ordren S00042 er klar til henting.")
        self._process_queue()
        self._receive("BUTIKK STOPP")

    def test_the_export_holds_what_was_sent_received_and_consented_however_the_number_is_typed(self):
        self._kari_history()

        for typed in ("+47 412 34 567", "41234567", "0047 41234567"):
            document = self._export(self._request(typed))
            self.assertEqual(document["number"], "+4741234567", typed)
        self.assertEqual(document["format"], "intellipush-personal-data/1")
        data = document["data"]
        self.assertEqual([row["name"] for row in data["contacts"]["records"]], ["Kari Nordmann"])
        self.assertIn("Hei Kari! Ordren S00042 er klar til henting.", [row["body"] for row in data["sms"]["records"]])
        self.assertEqual([row["body"] for row in data["inbound"]["records"]], ["BUTIKK STOPP"])
        self.assertEqual(document["counts"]["blacklist"], 1)
        self.assertEqual({row["new_state"] for row in data["consent_log"]["records"]}, {"Granted", "Withdrawn"})
        self.assertEqual(document["counts"]["suppression"], 0, "every kind is listed, also when nothing is held")

    def test_opened_from_a_contact_it_looks_up_the_contacts_number(self):
        request = (
            self.env["intellipush.personal.data.request"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_id=self.partner_kari.id)
            .create({})
        )
        self.assertEqual(request.number, "+47 412 34 567")
        self.assertEqual(request.partner_ids, self.partner_kari)
        action = self.env.ref("intellipush_sms.intellipush_personal_data_request_action_partner")
        self.assertEqual(action.binding_model_id.model, "res.partner", "in the contact's action menu")

    def test_a_clerk_cannot_look_a_number_up(self):
        with self.assertRaises(AccessError):
            self._request("+47 412 34 567", user=self.clerk).action_export()

    def test_an_invalid_number_says_so_and_erases_nothing(self):
        request = self._request("12")
        self.assertIn("no phone number", request.found_summary)
        request.write({"confirm_erasure": True, "reason": "E-post"})
        with self.assertRaisesRegex(UserError, "no phone number"):
            request.action_erase()
        self.assertFalse(self.env["intellipush.suppression"].search([]))

    def test_erasure_asks_for_the_request_and_a_confirmation(self):
        request = self._request("+47 412 34 567")
        with self.assertRaisesRegex(UserError, "cannot be undone"):
            request.action_erase()
        request.confirm_erasure = True
        with self.assertRaisesRegex(UserError, "who asked"):
            request.action_erase()
        self.assertEqual(self.partner_kari.mobile, "+47 412 34 567", "nothing was erased")

    def test_erasure_leaves_a_keyed_hash_and_the_opt_out_holds(self):
        self._kari_history()
        order_sms = self.env["sms.sms"].search([("partner_id", "=", self.partner_kari.id)])
        credits = sum(order_sms.mapped("credit_cost"))
        self.assertTrue(credits)

        request = self._request("+47 412 34 567")
        request.write({"confirm_erasure": True, "reason": "E-post fra kunden 02.12.2026"})
        request.action_erase()

        self.assertIn("+47 412 34 567 is erased", request.erased_summary)
        self.assertFalse(self.partner_kari.mobile)
        self.assertEqual(self.partner_kari.sms_consent_state, "none")
        self.assertFalse(self.partner_kari.sms_consent_log_ids)
        self.assertFalse(self.env["intellipush.inbound.sms"].search([("body", "ilike", "STOPP")]))
        self.assertFalse(
            self.env["phone.blacklist"].with_context(active_test=False).search([("number", "=", "+4741234567")])
        )
        order_sms.invalidate_recordset()
        self.assertFalse(any(order_sms.mapped("number")))
        self.assertNotIn("S00042", " ".join(order_sms.mapped("body")))
        self.assertEqual(sum(order_sms.mapped("credit_cost")), credits, "the credits spent still add up")
        chatter = self.partner_kari.message_ids.filtered(lambda message: message.message_type == "sms")
        self.assertNotIn("S00042", " ".join(chatter.mapped("body")))
        suppression = self.env["intellipush.suppression"].search([])
        self.assertEqual((suppression.scope, suppression.reason), ("all", "E-post fra kunden 02.12.2026"))
        self.assertNotIn("41234567", suppression.number_hash)

        # The number comes back (typed on a new contact): still opted out.
        lars = self.env["res.partner"].create({"name": "Ny kunde", "mobile": "412 34 567"})
        lars._message_sms("Hei! Ordren din er klar.")
        sms = self.env["sms.sms"].search([("partner_id", "=", lars.id)])
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        self.assertIn("erased", sms.failure_reason)
        self.assertEqual(self._export(self._request("41234567"))["counts"]["suppression"], 1)

    def test_an_erased_number_that_opts_in_again_is_no_longer_held_back(self):
        self._kari_history()
        request = self._request("+47 412 34 567")
        request.write({"confirm_erasure": True, "reason": "Telefon"})
        request.action_erase()

        self._receive("BUTIKK START")
        self.assertFalse(self.env["intellipush.suppression"].search([]))

    def test_a_contact_kept_after_an_erasure_gets_marketing_only_after_a_new_consent(self):
        # Kept for the bookkeeping: the contact keeps its number and its old consent.
        request = self._request("+47 412 34 567")
        request.write({"confirm_erasure": True, "reason": "Brev", "remove_from_contacts": False})
        with freeze_time(datetime.now() + timedelta(minutes=1)):
            request.action_erase()
        self.assertEqual(self.env["intellipush.suppression"].search([]).scope, "marketing")
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")

        self.partner_kari._message_sms("Hei! Pakken din er sendt.")
        marketing = self.partner_kari.with_context(intellipush_sms_purpose="marketing")
        marketing._message_sms("Tilbud: 20 % på alt!")
        sent = self.env["sms.sms"].search([("partner_id", "=", self.partner_kari.id)], order="id")
        self.assertEqual(sent.mapped("state"), ["outgoing", "canceled"], "transactional goes, marketing waits")
        self.assertEqual(sent[1].intellipush_skip_reason, "erased")
        self.assertIn("new consent", sent[1].failure_reason)

        with freeze_time(datetime.now() + timedelta(minutes=2)):
            self.partner_kari.write({"sms_consent_state": "withdrawn"})
            self.partner_kari.write(
                {"sms_consent_state": "granted", "sms_consent_channel": "manual", "sms_consent_proof": "Ja i butikken"}
            )
            marketing._message_sms("Tilbud: 20 % på alt!")
        latest = self.env["sms.sms"].search([("partner_id", "=", self.partner_kari.id)], order="id DESC", limit=1)
        self.assertEqual(latest.state, "outgoing", "a consent given after the erasure counts")
