import uuid
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush")
class TestQuickSms(IntellipushPosCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pos_sms_model = cls.env["intellipush.pos.sms"].with_user(cls.pos_user)

    def _request(self, **values):
        return {
            "uuid": str(uuid.uuid4()),
            "config_id": self.shop.id,
            "partner_id": self.customer.id,
            "template_id": self.pickup_template.id,
            "body": "Hei Kari! Sykkelen din er klar til henting.",
            "employee_id": False,
            "requested_at": fields.Datetime.to_string(fields.Datetime.now()),
            **values,
        }

    def test_a_message_sent_twice_goes_once(self):
        """The answer to the register got lost: it sends the same message again."""
        request = self._request()

        first = self.pos_sms_model.intellipush_create_from_ui([request])
        again = self.pos_sms_model.intellipush_create_from_ui([request, request])

        self.assertEqual(first, [{"uuid": request["uuid"], "state": "outgoing", "reason": False}])
        self.assertEqual(again, first)
        record = self.env["intellipush.pos.sms"].search([("uuid", "=", request["uuid"])])
        self.assertEqual(len(record), 1)
        self.assertEqual(record.employee_name, self.pos_user.name)
        self.assertEqual(record.sms_id.body, "Hei Kari! Sykkelen din er klar til henting.")
        self.assertEqual(record.sms_id.mail_message_id.res_id, self.customer.id, "on the customer's chatter")
        self.assertEqual(record.sms_id.credit_state, "reserved")

        self._process_queue()
        received = self.sandbox.messages()
        self.assertEqual(
            [(msg["countrycode"], msg["phonenumber"], msg["message"]) for msg in received],
            [("0047", "41234567", "Hei Kari! Sykkelen din er klar til henting.")],
        )

    def test_an_erased_number_leaves_no_text_at_the_register(self):
        request = self._request()
        self.pos_sms_model.intellipush_create_from_ui([request])
        record = self.env["intellipush.pos.sms"].search([("uuid", "=", request["uuid"])])
        data = self.env["intellipush.personal.data"]
        subject = data._intellipush_subject("+47 412 34 567", self.env.company)
        self.assertEqual(
            [row["body"] for row in data._intellipush_personal_data_sections(subject)["register_sms"][1]],
            ["Hei Kari! Sykkelen din er klar til henting."],
        )

        erased = data._intellipush_erase_personal_data(subject, "E-post fra kunden")

        self.assertEqual(erased["register_sms"], 1)
        self.assertFalse(record.body)
        self.assertEqual(record.employee_name, self.pos_user.name, "who sent it and when stay")

    def test_a_refused_message_tells_the_register_why(self):
        """A customer who opted out gets nothing: the register must not say it went."""
        self.env["phone.blacklist"].sudo()._add(["+4741234567"])
        request = self._request()

        results = self.pos_sms_model.intellipush_create_from_ui([request])

        self.assertEqual(
            results,
            [
                {
                    "uuid": request["uuid"],
                    "state": "canceled",
                    "reason": "This number opted out: it receives nothing but access codes.",
                }
            ],
        )

    def test_messages_to_several_customers_in_one_go(self):
        """A register back online hands over everything it kept at once."""
        ola = self.env["res.partner"].create({"name": "Ola Hansen", "mobile": "+47 934 56 789"})
        typed, untyped = self._request(), self._request(partner_id=ola.id, body=False)

        results = self.pos_sms_model.intellipush_create_from_ui([typed, untyped])

        self.assertEqual([result["state"] for result in results], ["outgoing", "outgoing"])
        records = self.env["intellipush.pos.sms"].search([("uuid", "in", [typed["uuid"], untyped["uuid"]])])
        self.assertEqual(
            sorted((record.partner_id.name, record.sms_id.number, record.sms_id.body[:16]) for record in records),
            [("Kari Nordmann", "+4741234567", "Hei Kari! Sykkel"), ("Ola Hansen", "+4793456789", "Hei Ola! Bestill")],
        )

    def test_template_filled_in_on_the_server_for_an_offline_register(self):
        request = self._request(body=False)
        self.pos_sms_model.intellipush_create_from_ui([request])

        record = self.env["intellipush.pos.sms"].search([("uuid", "=", request["uuid"])])
        company_name = self.pos_user.company_id.name
        expected = f"Hei Kari! Bestillingen din er klar til henting i butikken. Velkommen innom! Hilsen {company_name}"
        self.assertEqual(record.body, expected)
        self.assertEqual(record.sms_id.body, expected)

    def test_what_the_dialog_shows(self):
        prepared = self.pos_sms_model.intellipush_pos_prepare(self.shop.id, self.customer.id)
        self.assertEqual(prepared["number"], "+47 412 34 567")
        self.assertFalse(prepared["reason"])
        self.assertEqual(list(prepared["bodies"]), self.pickup_template.ids)
        self.assertTrue(prepared["bodies"][self.pickup_template.id].startswith("Hei Kari! Bestillingen din er klar"))

        estimate = self.pos_sms_model.intellipush_pos_estimate(
            self.shop.id, self.customer.id, "Hei Kari! Klar til henting.", self.pickup_template.id
        )
        self.assertIn("1 SMS, GSM-7, 1 segment(s) each", estimate["estimate"])
        self.assertFalse(estimate["warning"], "a short SMS goes without a question")
        long_one = self.pos_sms_model.intellipush_pos_estimate(
            self.shop.id, self.customer.id, "Sykkelen er klar. " * 30, False
        )
        self.assertIn("1 SMS of 4 segment(s) each", long_one["warning"])

        nobody = self.env["res.partner"].create({"name": "Per Uten Mobil"})
        prepared = self.pos_sms_model.intellipush_pos_prepare(self.shop.id, nobody.id)
        self.assertEqual((prepared["number"], prepared["reason"]), (False, "No mobile number on this customer."))

        landline = self.env["res.partner"].create({"name": "Kontoret", "mobile": "+47 22 12 34 56"})
        prepared = self.pos_sms_model.intellipush_pos_prepare(self.shop.id, landline.id)
        self.assertEqual(
            (prepared["number"], prepared["reason"]),
            (False, "+47 22 12 34 56 cannot receive SMS: a landline number, which cannot receive SMS."),
            "the cashier sees at once that a landline gets no SMS",
        )

    def test_requests_that_cannot_be_sent_are_settled(self):
        """The register forgets them: nothing is kept sending forever."""
        nobody = self.env["res.partner"].create({"name": "Per Uten Mobil"})
        gone = self.env["res.partner"].create({"name": "Slettet Kunde"})
        no_mobile, deleted = self._request(partner_id=nobody.id), self._request(partner_id=gone.id)
        gone.unlink()
        garbled = self._request(partner_id="Kari")

        results = self.pos_sms_model.intellipush_create_from_ui([no_mobile, deleted, garbled])

        self.assertEqual(
            results,
            [
                {"uuid": no_mobile["uuid"], "state": "error", "reason": "No mobile number on this customer."},
                {"uuid": deleted["uuid"], "state": "error", "reason": "The customer or the shop no longer exists."},
                {"uuid": garbled["uuid"], "state": "error", "reason": "The register sent an incomplete message."},
            ],
        )

    def test_the_register_loads_only_what_its_screens_need(self):
        other_template = self.env["sms.template"].create(
            {"name": "Annen mal", "model_id": self.env.ref("base.model_res_partner").id, "body": "Hei"}
        )
        self.shop.with_user(self.pos_user).open_ui()
        data = self.shop.current_session_id.with_user(self.pos_user).load_data([])

        self.assertEqual(data["sms.template"]["fields"], ["id", "name"])
        self.assertEqual([template["id"] for template in data["sms.template"]["data"]], self.pickup_template.ids)
        self.assertNotIn(other_template.id, [template["id"] for template in data["sms.template"]["data"]])
        self.assertIn("sms_consent_state", data["res.partner"]["fields"])

    def test_one_refused_request_holds_back_no_other(self):
        """A request for another company's contact is refused on its own: the others go."""
        other_company = self.env["res.company"].create({"name": "Annen Butikk AS"})
        stranger = self.env["res.partner"].create(
            {"name": "Fremmed Kunde", "mobile": "+47 934 56 789", "company_id": other_company.id}
        )
        ola = self.env["res.partner"].create({"name": "Ola Hansen", "mobile": "+47 987 65 432"})
        first, foreign, last = (
            self._request(),
            self._request(partner_id=stranger.id),
            self._request(partner_id=ola.id, body="Hei Ola! Sykkelen din er klar."),
        )

        results = self.pos_sms_model.intellipush_create_from_ui([first, foreign, last])

        self.assertEqual([result["uuid"] for result in results], [first["uuid"], foreign["uuid"], last["uuid"]])
        self.assertEqual([result["state"] for result in results], ["outgoing", "error", "outgoing"])
        self.assertEqual(results[1]["reason"], "The customer is a contact of another company.")
        self.assertFalse(self.env["intellipush.pos.sms"].search([("uuid", "=", foreign["uuid"])]))
        self._process_queue()
        self.assertEqual(sorted(self.sandbox_numbers()), [("0047", "41234567"), ("0047", "98765432")])

    def test_a_cashier_without_email_or_contact_rights_can_send(self):
        """A cashier is a POS user: no right to edit contacts, perhaps no e-mail address."""
        for login, email in (("kasse_uten_epost", False), ("kasse_med_epost", "kasse@example.com")):
            with self.subTest(login=login):
                cashier = new_test_user(
                    self.env,
                    login=login,
                    name=f"Kasse {login}",
                    email=email,
                    groups="base.group_user,point_of_sale.group_pos_user",
                    company_id=self.company.id,
                )
                self.assertFalse(self.customer.with_user(cashier).has_access("write"))
                request = self._request()

                results = self.env["intellipush.pos.sms"].with_user(cashier).intellipush_create_from_ui([request])

                self.assertEqual(results, [{"uuid": request["uuid"], "state": "outgoing", "reason": False}])
                record = self.env["intellipush.pos.sms"].search([("uuid", "=", request["uuid"])])
                self.assertEqual(record.employee_name, f"Kasse {login}")
                self.assertEqual(record.sms_id.mail_message_id.author_id, cashier.partner_id, "in the cashier's name")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")] * 2)

    @mute_logger("odoo.addons.intellipush_sms_pos.models.intellipush_pos_sms")
    def test_a_request_the_server_cannot_handle_now_is_kept_by_the_register(self):
        """An unexpected failure for one message: the register keeps that one and the others go."""
        ola = self.env["res.partner"].create({"name": "Ola Hansen", "mobile": "+47 987 65 432"})
        failing, other = self._request(partner_id=ola.id), self._request()
        partner_class = type(self.env["res.partner"])
        post = partner_class._message_sms

        def post_failing_for_ola(partner, *args, **kwargs):
            if partner.id == ola.id:
                raise RuntimeError("simulated failure while posting")
            return post(partner, *args, **kwargs)

        with patch.object(partner_class, "_message_sms", post_failing_for_ola):
            results = self.pos_sms_model.intellipush_create_from_ui([failing, other])

        self.assertEqual([result["state"] for result in results], ["retry", "outgoing"])
        self.assertFalse(self.env["intellipush.pos.sms"].search([("uuid", "=", failing["uuid"])]))
        again = self.pos_sms_model.intellipush_create_from_ui([failing])
        self.assertEqual(again[0]["state"], "outgoing", "sent once the server can handle it")
