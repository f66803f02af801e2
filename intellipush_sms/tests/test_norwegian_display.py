"""What a Norwegian user reads: credits with two decimals and a decimal comma,
one phone format, reasons and labels in Norwegian."""

from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.translate import code_translations

from ..tools import phone_numbers
from ..tools.phone_display import display_number, number_problem
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from .common import IntellipushCase

# The Norwegian texts of the phone reasons, as listed for nb.po: patched in
# so that the test checks the path (code -> env._ in the user's language)
# independently of when the translation file is refreshed.
NUMBER_PROBLEMS_NB = {
    "no number": "ikke noe nummer",
    "not a phone number": "ikke et telefonnummer",
    "unknown country prefix": "ukjent landskode",
    "too few digits": "for få sifre",
    "too many digits": "for mange sifre",
    "wrong number of digits": "feil antall sifre",
    "impossible number": "umulig nummer",
    "no such number in its country": "nummeret finnes ikke i landet",
}
# The screens people open, and the credit fields on them.
CREDIT_FIELDS = {
    ("intellipush.credit.wallet", "form"): {"available", "reserved", "balance", "expiring_30", "expiring_90"},
    ("intellipush.credit.lot", "list"): {"quantity", "remaining"},
    ("intellipush.credit.lot", "form"): {"quantity", "remaining", "amount"},
    ("intellipush.credit.ledger", "list"): {"amount", "reserved_amount"},
    ("intellipush.credit.ledger", "form"): {"amount", "reserved_amount"},
    ("intellipush.credit.rate", "list"): {"sms_per_credit", "credits_per_sms"},
    ("sms.sms", "list", "intellipush_sms.sms_sms_view_list"): {"credit_cost"},
    ("sms.sms", "form"): {"credit_cost", "intellipush_credits"},
}


def _with_norwegian_number_problems():
    key = ("intellipush_sms", "nb_NO")
    merged = {**code_translations.get_python_translations(*key), **NUMBER_PROBLEMS_NB}
    return patch.dict(code_translations.python_translations, {key: merged})


@tagged("post_install", "-at_install", "intellipush")
class TestNorwegianDisplay(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nb_NO")
        cls.nb = cls.env(context=dict(cls.env.context, lang="nb_NO"))

    # ------------------------------------------------------------
    # Credits
    # ------------------------------------------------------------

    def test_credits_in_messages_have_two_decimals_and_a_decimal_comma(self):
        wallet = self.wallet.with_env(self.nb)
        thousands = self.env["res.lang"]._lang_get("nb_NO").thousands_sep
        self.assertEqual(wallet._format_credits(Decimal("4978.8886")), f"4{thousands}978,89")
        self.assertEqual(wallet._format_credits(Decimal("1.1112")), "1,11")

    def test_cost_estimate_reads_like_norwegian_money(self):
        partners = self.partner_kari | self.partner_ola | self.partner_sofia
        composer = self._mass_composer(partners, "Hei! Vi har fått inn nye varer.").with_env(self.nb)
        composer.invalidate_recordset(["intellipush_cost_summary"])
        summary = composer.intellipush_cost_summary
        self.assertIn("3,36", summary)
        self.assertNotIn("3,3588", summary)
        self.assertNotIn("3.36", summary)

    def test_credit_screens_show_two_decimals(self):
        for (model, view_type, *xmlid), names in CREDIT_FIELDS.items():
            view_id = self.env.ref(xmlid[0]).id if xmlid else False
            arch = self.env[model].with_env(self.nb).get_views([(view_id, view_type)])["views"][view_type]["arch"]
            shown = [node for node in etree.fromstring(arch).iter("field") if node.get("name") in names]
            self.assertEqual({node.get("name") for node in shown}, names, f"{model} {view_type}")
            for node in shown:
                self.assertEqual(node.get("digits"), "[16, 2]", f"{model} {view_type}: {node.get('name')}")

    def test_the_ledger_stays_exact(self):
        self._queue_sms(["41234567"])
        self._process_queue()
        debit = self.env["intellipush.credit.ledger"].search([("entry_type", "=", "debit")], limit=1)
        self.assertEqual(Decimal(str(debit.amount)), Decimal("-1.1112"), "four decimals kept in the ledger")

    def test_consumption_is_drawn_upwards(self):
        self._queue_sms(["41234567", "93456789"])
        self._process_queue()
        graph = self.env["intellipush.credit.ledger"].get_views([(False, "graph")])["views"]["graph"]["arch"]
        measures = [node.get("name") for node in etree.fromstring(graph).iter("field") if node.get("type") == "measure"]
        self.assertEqual(measures, ["consumed"])
        groups = self.env["intellipush.credit.ledger"].read_group(
            [("entry_type", "in", ("debit", "refund"))], ["consumed:sum"], []
        )
        self.assertAlmostEqual(groups[0]["consumed"], 2.2224, places=4)
        self.assertGreater(groups[0]["consumed"], 0)

    # ------------------------------------------------------------
    # Phone numbers: one format, reasons in Norwegian
    # ------------------------------------------------------------

    def test_numbers_are_shown_one_way(self):
        for typed in ("0047 41 23 45 67", "+47 41 23 45 67", "412 34 567", "+4741234567"):
            self.assertEqual(display_number(normalize(typed, "NO").e164), "+47 412 34 567")
        grant = self.env["intellipush.access.grant"].new({"number": "+4741234567"})
        self.assertEqual(grant.number_display, "+47 412 34 567")
        attempt = self.env["intellipush.access.attempt"].new({"number": "+4745678901"})
        self.assertEqual(attempt.number_display, "+47 456 78 901")
        listed = self.env["intellipush.sms.list"].create(
            {"name": "Kundeklubb", "contact_ids": [Command.create({"name": "Lars", "number": "0047 45 67 89 01"})]}
        )
        self.assertEqual(listed.contact_ids.number_e164, "+4745678901", "stored as E.164, as before")
        self.assertEqual(listed.contact_ids.number_display, "+47 456 78 901")

    def test_number_reasons_are_translated(self):
        with _with_norwegian_number_problems():
            for raw, shown in (("abc123", "for få sifre"), ("4", "ikke et telefonnummer"), ("", "ikke noe nummer")):
                with self.assertRaises(InvalidPhoneNumber) as caught:
                    normalize(raw, "NO")
                self.assertEqual(number_problem(self.nb, caught.exception), shown)
                self.assertEqual(number_problem(self.nb, caught.exception.reason), shown, "the English reason too")
        for code, english in phone_numbers.REASONS.items():
            self.assertEqual(
                number_problem(self.env(context={"lang": "en_US"}), code), english.replace("'s numbering plan", "")
            )

    def test_access_code_to_a_bad_number_says_why_in_norwegian(self):
        resource = self.env["intellipush.access.resource"].create({"name": "Badstue", "location": "Kjeller"})
        with _with_norwegian_number_problems(), self.assertRaises(UserError) as caught:
            resource.with_env(self.nb)._issue_grant("abc123")
        self.assertEqual(str(caught.exception), "Dette nummeret kan ikke motta SMS: for få sifre.")

    # ------------------------------------------------------------
    # Stored texts and Odoo's untranslated labels
    # ------------------------------------------------------------

    def test_skipped_credit_note_reason_is_stored_in_the_company_language(self):
        self.company.partner_id.lang = "nb_NO"
        self.company.intellipush_invoice_reminders = True
        product = self.env["product.product"].create({"name": "Sykkelservice", "type": "service"})
        today = fields.Date.context_today(self.env["account.move"].with_context(tz="Europe/Oslo"))
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.partner_kari.id,
                "invoice_date": today - timedelta(days=14),
                "invoice_date_due": today,
                "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 500, "tax_ids": []})],
            }
        )
        credit_note.action_post()
        # The cron has no language in its context.
        self.env["account.move"].with_context(lang=None)._cron_intellipush_invoice_reminders()
        reminder = credit_note.intellipush_reminder_ids
        self.assertEqual(reminder.state, "skipped")
        self.assertEqual(reminder.reason, "Kreditnotaer får ingen betalingspåminnelse.")

    def test_composer_shows_our_labels_not_odoos_untranslated_ones(self):
        arch = self.env["sms.composer"].with_env(self.nb).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("Use Template", arch)
        self.assertNotIn("make sure to set a country on the", arch)
        template = etree.fromstring(arch).xpath("//field[@name='template_id']")[0]
        self.assertIn(template.get("string"), ("Template", "Mal"))

    # ------------------------------------------------------------
    # Odoo's own words on our screens
    # ------------------------------------------------------------

    def test_odoo_words_left_untranslated_get_ours_in_the_web_client(self):
        """The title of every warning dialog and the notice of a form that
        cannot be saved: Odoo 18 leaves them in English in Norwegian."""
        translations = self._web_client_translations()
        self.assertEqual(translations.get("Invalid Operation"), "Ugyldig handling")
        self.assertEqual(translations.get("Invalid fields: "), "Ugyldige felt: ")

    def _web_client_translations(self):
        """The dictionary the web client merges from every addon, as its route builds it."""
        modules = self.env["ir.http"].get_translations_for_webclient(["web", "intellipush_sms"], "nb_NO")[0]
        terms = {}
        for module in ("web", "intellipush_sms"):  # the client's order: later modules fill in
            for message in modules[module]["messages"]:
                terms[message["id"]] = message["string"]
        return terms
