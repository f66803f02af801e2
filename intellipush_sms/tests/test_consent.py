from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..tools.credits import to_credits
from ..tools.sms_encoding import analyze
from .common import IntellipushCase

FOOTER = "Svar BUTIKK STOPP til 2160"
WEB_FORM_PROOF = "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett, 24.11."


@tagged("post_install", "-at_install", "intellipush")
class TestMarketingConsent(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(
            cls.company,
            intellipush_optout_footer=FOOTER,
            intellipush_keyword="BUTIKK",
            intellipush_optout_confirmation="Du er meldt av og får ingen flere SMS fra oss.",
        )
        no = cls.env.ref("base.no").id
        partner_model = cls.env["res.partner"]
        cls.consented = partner_model.create(
            {
                "name": "Ingrid Berg",
                "mobile": "+47 415 00 001",
                "country_id": no,
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": WEB_FORM_PROOF,
            }
        )
        cls.unconsented = partner_model.create({"name": "Per Dahl", "mobile": "+47 415 00 002", "country_id": no})
        cls.withdrawn = partner_model.create(
            {
                "name": "Liv Strand",
                "mobile": "+47 415 00 003",
                "country_id": no,
                "sms_consent_state": "withdrawn",
                "sms_consent_channel": "web_form",
            }
        )
        cls.blacklisted = partner_model.create(
            {
                "name": "Nils Moe",
                "mobile": "+47 415 00 004",
                "country_id": no,
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": WEB_FORM_PROOF,
            }
        )
        cls.env["phone.blacklist"].sudo()._add(["+4741500004"])
        cls.audience = cls.consented | cls.unconsented | cls.withdrawn | cls.blacklisted

    def _sms_of(self, partner):
        return self.env["sms.sms"].search([("partner_id", "=", partner.id)], order="id DESC", limit=1)

    def test_marketing_reaches_only_consented_and_reports_the_rest(self):
        composer = self._mass_composer(
            self.audience, "Hei {{ object.name }}! 20 % på alt i helgen.", sms_purpose="marketing", mass_keep_log=True
        )
        self.assertIn("1 SMS", composer.intellipush_cost_summary, "the estimate counts only who will get it")
        # Who never consented is no opt-out: each reason counted apart.
        self.assertIn("1 skipped: No marketing consent", composer.intellipush_cost_summary, "and says who will not")
        self.assertIn("1 skipped: Consent withdrawn", composer.intellipush_cost_summary)
        self.assertIn("1 skipped: Blacklisted", composer.intellipush_cost_summary)
        self.assertEqual(composer.intellipush_optout_footer, FOOTER)

        result = composer.action_send_sms()

        message = result["params"]["message"]
        self.assertIn("1 SMS queued, about 1.11 credits.", message)
        self.assertIn("1 skipped: No marketing consent", message)
        self.assertIn("1 skipped: Consent withdrawn", message)
        self.assertIn("1 skipped: Blacklisted", message)
        self.assertEqual(result["params"]["type"], "warning")

        sent = self._sms_of(self.consented)
        self.assertEqual(sent.state, "outgoing")
        self.assertEqual(sent.sms_purpose, "marketing")
        self.assertTrue(sent.body.endswith(f"\n{FOOTER}"), "marketing carries the opt-out instruction")
        for partner, failure_type, reason in (
            (self.unconsented, "sms_optout", "No marketing consent"),
            (self.withdrawn, "sms_optout", "withdrew"),
            (self.blacklisted, "sms_blacklist", "opted out"),
        ):
            sms = self._sms_of(partner)
            self.assertEqual(sms.state, "canceled", partner.name)
            self.assertEqual(sms.failure_type, failure_type, partner.name)
            if reason:
                self.assertIn(reason, sms.failure_reason or "", partner.name)
            self.assertFalse(sms.credit_cost and sms.credit_state == "reserved", "skipped SMS reserve no credits")

        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41500001")])
        self.assertIn(FOOTER, self.sandbox.messages()[0]["message"])

    def test_marketing_from_chatter_to_unconsented_partner_is_skipped(self):
        self.unconsented.with_context(intellipush_sms_purpose="marketing")._message_sms("Kampanje: 2 for 1!")
        sms = self._sms_of(self.unconsented)
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_optout"))
        notification = self.env["mail.notification"].search([("sms_id_int", "=", sms.id)])
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "sms_optout")

    def test_marketing_to_typed_number_takes_the_contacts_consent(self):
        composer = self.env["sms.composer"].create(
            {
                "composition_mode": "numbers",
                "numbers": "+47 415 00 001, +47 415 00 002",
                "body": "Kampanje!",
                "sms_purpose": "marketing",
            }
        )
        composer.action_send_sms()
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41500001")])

    def test_transactional_reaches_unconsented_but_not_blacklisted(self):
        for partner in self.unconsented | self.withdrawn | self.blacklisted:
            partner._message_sms("Ordren din S00042 er bekreftet.")
        self.assertEqual(self._sms_of(self.unconsented).sms_purpose, "transactional")
        self.assertNotIn(FOOTER, self._sms_of(self.unconsented).body, "no opt-out footer on transactional SMS")
        self.assertEqual(self._sms_of(self.blacklisted).failure_type, "sms_blacklist")

        self._process_queue()

        self.assertEqual(sorted(self.sandbox_numbers()), [("0047", "41500002"), ("0047", "41500003")])

    def test_access_code_reaches_blacklisted_number(self):
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": "+4741500004",
                    "partner_id": self.blacklisted.id,
                    "body": "Koden din er 482913",
                    "sms_purpose": "access_code",
                }
            )
        )
        self.assertEqual(sms.state, "outgoing")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41500004")])

    def test_retry_does_not_bypass_the_blacklist(self):
        self.blacklisted._message_sms("Ordren din er sendt.")
        sms = self._sms_of(self.blacklisted)
        sms.action_set_outgoing()
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_blacklist"))
        self._process_queue()
        self.assertFalse(self.sandbox.messages())

    def test_optout_footer_counts_in_segments_and_cost(self):
        # 150 GSM-7 characters: one segment alone, two with the instruction.
        body = "Sommersalg! " + "x" * 138
        self.assertEqual(analyze(body).segments, 1)
        composer = self._mass_composer(self.consented, body, sms_purpose="marketing")
        self.assertIn("2 segment(s)", composer.intellipush_cost_summary)
        composer.sms_purpose = "transactional"
        self.assertIn("1 segment(s)", composer.intellipush_cost_summary)

        composer.sms_purpose = "marketing"
        composer.action_send_sms()
        sms = self._sms_of(self.consented)
        self.assertEqual(sms.sms_segments, 2)
        self.assertEqual(to_credits(sms.credit_cost), Decimal("2.2223"), "2 segments at 0.9 SMS per credit")

    def test_template_purpose_drives_the_composer(self):
        template = self.env["sms.template"].create(
            {
                "name": "Helgetilbud",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body": "Helgetilbud!",
                "sms_purpose": "marketing",
            }
        )
        composer = self.env["sms.composer"].create(
            {
                "composition_mode": "mass",
                "res_model": "res.partner",
                "res_ids": repr(self.audience.ids),
                "template_id": template.id,
            }
        )
        self.assertEqual(composer.sms_purpose, "marketing")


@tagged("post_install", "-at_install", "intellipush")
class TestConsentRecords(IntellipushCase):
    def test_manual_consent_needs_proof_and_is_logged(self):
        with self.assertRaises(ValidationError):
            self.partner_ola.write({"sms_consent_state": "granted"})

        with Form(self.partner_ola) as form:
            form.sms_consent_state = "granted"
            form.sms_consent_proof = "Signert skjema i butikken 24.11."
        self.assertEqual(self.partner_ola.sms_consent_channel, "manual")
        self.assertTrue(self.partner_ola.sms_consent_date)

        log = self.partner_ola.sms_consent_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual((log.previous_state, log.new_state, log.channel), ("none", "granted", "manual"))
        self.assertEqual(log.user_id, self.env.user)
        self.assertEqual(log.proof, "Signert skjema i butikken 24.11.")

        self.partner_ola.sms_consent_state = "withdrawn"
        self.assertEqual(len(self.partner_ola.sms_consent_log_ids), 2)
        self.assertFalse(self.partner_ola.sms_consent_proof, "the old proof does not carry over")
        with self.assertRaises(ValidationError, msg="granting again by hand needs a new proof"):
            self.partner_ola.sms_consent_state = "granted"

    def test_proof_document_is_kept_in_the_log(self):
        self.partner_ola.write(
            {
                "sms_consent_state": "granted",
                "sms_consent_proof_file": "UERGLXByb29m",
                "sms_consent_proof_filename": "samtykke.pdf",
            }
        )
        log = self.partner_ola.sms_consent_log_ids
        self.assertEqual(log.proof_filename, "samtykke.pdf")
        self.assertTrue(log.proof_file)

    def test_import_sets_the_import_channel(self):
        result = (
            self.env["res.partner"]
            .with_context(import_file=True)
            .load(
                ["name", "mobile", "sms_consent_state", "sms_consent_proof"],
                [["Importert Kunde", "+4790000001", "granted", "Kundeklubben i den gamle kassen, 2024"]],
            )
        )
        self.assertFalse(result["messages"])
        partner = self.env["res.partner"].browse(result["ids"])
        self.assertEqual(partner.sms_consent_channel, "import")
        self.assertEqual(partner.sms_consent_log_ids.channel, "import")
        self.assertEqual(partner.sms_consent_log_ids.proof, "Kundeklubben i den gamle kassen, 2024")

    def test_consent_from_a_web_form_needs_proof(self):
        with self.assertRaises(ValidationError) as refusal:
            self.partner_ola.write({"sms_consent_state": "granted", "sms_consent_channel": "web_form"})
        self.assertIn("Web Form needs its proof", str(refusal.exception))
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create(
                {"name": "Uten Bevis", "sms_consent_state": "granted", "sms_consent_channel": "web_form"}
            )

        self.partner_ola.write(
            {"sms_consent_state": "granted", "sms_consent_channel": "web_form", "sms_consent_proof": WEB_FORM_PROOF}
        )

        log = self.partner_ola.sms_consent_log_ids
        self.assertEqual((log.channel, log.new_state, log.proof), ("web_form", "granted", WEB_FORM_PROOF))

    def test_every_channel_but_an_sms_keyword_needs_proof(self):
        """An inbound SMS is its own proof (the log links it); every other channel needs a text or a document."""
        for channel in ("web_form", "import", "manual", "api", "pos"):
            with self.subTest(channel=channel), self.assertRaises(ValidationError):
                self.partner_ola.write({"sms_consent_state": "granted", "sms_consent_channel": channel})
        self.partner_ola.write({"sms_consent_state": "granted", "sms_consent_channel": "inbound_keyword"})
        self.assertEqual(self.partner_ola.sms_consent_state, "granted")

    def test_import_without_proof_is_refused(self):
        result = (
            self.env["res.partner"]
            .with_context(import_file=True)
            .load(["name", "mobile", "sms_consent_state"], [["Importert Kunde", "+4790000001", "granted"]])
        )
        self.assertFalse(result["ids"])
        self.assertIn("proof", result["messages"][0]["message"])

    def test_log_is_append_only(self):
        self.partner_kari.write({"sms_consent_state": "granted", "sms_consent_proof": "Muntlig, telefon 24.11."})
        log = self.partner_kari.sms_consent_log_ids
        with self.assertRaises(UserError):
            log.write({"new_state": "none"})
        with self.assertRaises(UserError):
            log.unlink()
        with self.assertRaises(UserError):
            self.env["intellipush.consent.log"].create(
                {"partner_id": self.partner_kari.id, "channel": "manual", "new_state": "granted"}
            )


@tagged("post_install", "-at_install", "intellipush")
class TestInboundKeywords(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(
            cls.company,
            intellipush_keyword="BUTIKK",
            intellipush_optout_confirmation="Du er meldt av. Send BUTIKK START for å melde deg på igjen.",
        )
        cls.partner_kari.write(
            {"sms_consent_state": "granted", "sms_consent_channel": "web_form", "sms_consent_proof": WEB_FORM_PROOF}
        )

    def _receive(self):
        inbound = self.env["intellipush.inbound.sms"]
        inbound._cron_intellipush_inbound()
        return inbound.search([], order="id")

    def _blacklist_entry(self, number="+4741234567"):
        return self.env["phone.blacklist"].with_context(active_test=False).search([("number", "=", number)])

    def _withdrawals(self):
        return self.partner_kari.sms_consent_log_ids.filtered(lambda log: log.new_state == "withdrawn")

    def test_stopp_delivered_twice_blacklists_and_logs_once(self):
        self.sandbox.add_inbound("0047", "41234567", "Butikk stopp!")
        first = self._receive()
        # Intellipush hands out the same message again on the next poll,
        # and the customer, unsure, sends STOPP a second time.
        self._receive()
        self.sandbox.add_inbound("0047", "41234567", "BUTIKK STOPP")
        received = self._receive()

        self.assertEqual(len(first), 1)
        self.assertEqual(len(received), 2)
        self.assertEqual(set(received.mapped("action")), {"opt_out"})
        self.assertEqual(set(received.mapped("state")), {"done"})
        entry = self._blacklist_entry()
        self.assertEqual(len(entry), 1)
        self.assertTrue(entry.active)
        self.assertEqual(self.partner_kari.sms_consent_state, "withdrawn")
        self.assertEqual(self.partner_kari.sms_consent_channel, "inbound_keyword")
        withdrawal = self._withdrawals()
        self.assertEqual(len(withdrawal), 1, "one log entry for one opt-out")
        self.assertEqual(withdrawal.inbound_sms_id, first)
        self.assertIn("Butikk stopp!", withdrawal.proof)

        confirmations = self.env["sms.sms"].search([("sms_purpose", "=", "confirmation")])
        self.assertEqual(len(confirmations), 1, "confirmed once")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")], "the confirmation reaches the blacklisted")

        self.partner_kari._message_sms("Ordren din er klar.")
        self.assertEqual(self.partner_kari.message_ids[:1].notification_ids.failure_type, "sms_blacklist")

    def test_opt_in_again_by_keyword(self):
        self.company.intellipush_double_optin = False  # a single opt-in: double opt-in is test_double_optin's
        self.sandbox.add_inbound("0047", "41234567", "BUTIKK STOPP")
        self._receive()
        self.sandbox.add_inbound("0047", "41234567", "butikk start")
        received = self._receive()

        self.assertEqual(received[-1].action, "opt_in")
        self.assertFalse(self._blacklist_entry().active)
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")
        self.assertEqual(self.partner_kari.sms_consent_channel, "inbound_keyword")
        self.assertEqual(
            self.partner_kari.sms_consent_log_ids.sorted("id").mapped("new_state"),
            ["granted", "withdrawn", "granted"],
        )
        self.partner_kari.with_context(intellipush_sms_purpose="marketing")._message_sms("Velkommen tilbake!")
        self.assertEqual(self.env["sms.sms"].search([], order="id DESC", limit=1).state, "outgoing")

    def test_ordinary_messages_go_to_the_inbox_and_chatter(self):
        self.sandbox.add_inbound("0047", "41234567", "Når åpner dere i morgen?")
        self.sandbox.add_inbound("0047", "99887766", "Hvem er dette?")
        received = self._receive()

        self.assertEqual(received.mapped("action"), ["message", "message"])
        from_kari = received.filtered(lambda msg: msg.partner_id == self.partner_kari)
        self.assertEqual(self.partner_kari.message_ids[:1].body, "<p>Når åpner dere i morgen?</p>")
        self.assertEqual(self.partner_kari.message_ids[:1].author_id, self.partner_kari)
        unknown = received - from_kari
        self.assertFalse(unknown.partner_id, "an unknown sender stays in the inbox")
        self.assertEqual(unknown.number, "+4799887766")
        self.assertFalse(self._blacklist_entry(), "no keyword, no blacklist change")
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")

    def test_stopp_from_unknown_number_is_honoured(self):
        self.sandbox.add_inbound("0047", "99887766", "STOPP")
        received = self._receive()
        self.assertEqual(received.action, "opt_out")
        self.assertTrue(self._blacklist_entry("+4799887766").active)


@tagged("post_install", "-at_install", "intellipush")
class TestRecordConsentInBulk(IntellipushCase):
    def test_consent_recorded_with_its_proof_withdrawals_kept(self):
        withdrawn = self.env["res.partner"].create(
            {
                "name": "Lars Berg",
                "mobile": "+47 456 78 901",
                "sms_consent_state": "withdrawn",
                "sms_consent_channel": "inbound_keyword",
            }
        )
        partners = self.partner_kari | self.partner_ola | withdrawn
        wizard = (
            self.env["intellipush.consent.record"]
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"channel": "pos", "proof": "Kundeklubbskjema i butikken, 2025: «Ja, send meg SMS-tilbud»"})
        )
        self.assertEqual(wizard.partner_ids, partners)
        self.assertEqual(wizard.withdrawn_count, 1)

        action = wizard.action_record()

        self.assertEqual((self.partner_kari | self.partner_ola).mapped("sms_consent_state"), ["granted", "granted"])
        self.assertEqual(withdrawn.sms_consent_state, "withdrawn", "a withdrawal stands until the contact opts in")
        self.assertIn("1 skipped", action["params"]["message"])
        log = self.partner_kari.sms_consent_log_ids
        self.assertEqual((log.channel, log.new_state), ("pos", "granted"))
        self.assertIn("Kundeklubbskjema", log.proof)


@tagged("post_install", "-at_install", "intellipush")
class TestEstimateAccountsForEveryone(IntellipushCase):
    def test_a_recipient_without_a_number_is_counted_too(self):
        no_number = self.env["res.partner"].create({"name": "Uten Nummer"})
        composer = self._mass_composer(self.partner_kari | self.partner_ola | no_number, "Hei! Butikken er åpen.")
        self.assertIn("2 SMS", composer.intellipush_cost_summary)
        self.assertIn("1 skipped: No mobile number", composer.intellipush_cost_summary, "3 recipients, 3 accounted for")
