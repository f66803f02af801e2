from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..tools.credits import to_credits
from .common import IntellipushCase

NORWAY_SMS = Decimal("1.1112")  # one segment at 0.9 SMS per credit, rounded up


@tagged("post_install", "-at_install", "intellipush")
class TestCreditWallet(IntellipushCase):
    def assertLedgerReconciles(self, wallet=None):
        """Balances are sums of the ledger, the lots add up to them, nothing is negative."""
        wallet = wallet or self.wallet
        balance, reserved = wallet._sums()
        lots = wallet._lots_with_credits()
        self.assertEqual(sum((left for _lot, left in lots), Decimal(0)), balance, "lots add up to the balance")
        reserved_sms = (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("company_id", "=", wallet.company_id.id),
                    ("credit_state", "=", "reserved"),
                ]
            )
        )
        self.assertEqual(
            sum((to_credits(sms.credit_cost) for sms in reserved_sms), Decimal(0)),
            reserved,
            "the reservation is what queued SMS set aside",
        )
        self.assertGreaterEqual(balance - reserved, 0, "the balance never goes negative")
        self.assertTrue(all(left >= 0 for _lot, left in lots))

    def _available(self):
        return self.wallet._available()

    def test_cost_is_reserved_when_queued_and_debited_when_accepted(self):
        before = self._available()
        sms = self._queue_sms(["41234567"])
        self.assertEqual(to_credits(sms.credit_cost), NORWAY_SMS)
        self.assertEqual((sms.credit_state, sms.destination_country_id), ("reserved", self.env.ref("base.no")))
        self.assertEqual(self._available(), before - NORWAY_SMS)
        self._process_queue()
        self.assertEqual(sms.credit_state, "debited")
        self.assertEqual(self.wallet._sums()[0], Decimal("1000") - NORWAY_SMS)
        self.assertLedgerReconciles()

    def test_segments_and_destination_set_the_cost(self):
        sweden, two_segments = self._queue_sms(["+46 70 123 45 67", "41234567"])
        two_segments._intellipush_change_text({two_segments: "x" * 200})  # priced again
        self.assertEqual(to_credits(sweden.credit_cost), Decimal("1.1364"))  # 1 / 0.88
        self.assertEqual(to_credits(two_segments.credit_cost), Decimal("2.2223"))
        self.assertLedgerReconciles()

    def test_disabled_destination_is_refused_without_cost(self):
        germany = self._queue_sms(["+49 1512 3456789"])
        self.assertSmsFailed(germany, "sms_country_not_supported", "not enabled")
        self.assertEqual(germany.credit_cost, 0)
        self.assertLedgerReconciles()

    def test_consumption_takes_the_lots_that_expire_first(self):
        self.env["intellipush.credit.wallet"].browse(self.wallet.id)  # the wallet from setUpClass holds 1000
        old_lot = self.wallet._purchase(2, 1.2, self.company.currency_id, date.today() - relativedelta(months=20))
        sms = self._queue_sms(["41234567", "93456789"])
        self._process_queue()
        debits = self.env["intellipush.credit.ledger"].search([("sms_id", "in", sms.ids), ("entry_type", "=", "debit")])
        taken = {}
        for debit in debits:
            taken[debit.lot_id] = taken.get(debit.lot_id, 0) - debit.amount
        self.assertEqual(to_credits(taken[old_lot]), Decimal("2.0000"), "the older lot is emptied first")
        self.assertEqual(sum(to_credits(value) for value in taken.values()), 2 * NORWAY_SMS)
        self.assertEqual(len(debits.filtered(lambda entry: entry.sms_id == sms[1])), 2, "one SMS may span two lots")
        self.assertLedgerReconciles()

    def test_expiry_takes_only_free_credits(self):
        expired_lot = self.wallet._purchase(10, 5.9, self.company.currency_id, date.today() - relativedelta(months=25))
        self.assertEqual(expired_lot.expiry_date, expired_lot.purchase_date + relativedelta(months=24))
        balance_before = self.wallet._sums()[0]
        self.env["intellipush.credit.wallet"]._cron_intellipush_expire_credits()
        expiry = self.env["intellipush.credit.ledger"].search(
            [("lot_id", "=", expired_lot.id), ("entry_type", "=", "expiry")]
        )
        self.assertEqual(to_credits(expiry.amount), Decimal("-10.0000"))
        self.assertEqual(self.wallet._sums()[0], balance_before - 10)
        self.assertEqual(expired_lot.state, "expired")
        self.env["intellipush.credit.wallet"]._cron_intellipush_expire_credits()
        self.assertEqual(len(self.env["intellipush.credit.ledger"].search([("entry_type", "=", "expiry")])), 1)
        self.assertLedgerReconciles()

    def test_provider_refusal_releases_and_delivery_failure_refunds(self):
        self.sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
        delivered, refused, undelivered = self._queue_sms(["41234567", "93456789", "98765432"])
        self._process_queue()
        self.assertEqual(refused.credit_state, "released")
        self.sandbox.fail([undelivered.intellipush_id])
        self.sandbox.deliver([delivered.intellipush_id])
        self._poll_status_now()
        self.assertEqual(undelivered.credit_state, "refunded")
        self.assertEqual(self.wallet._sums()[0], Decimal("1000") - NORWAY_SMS, "only the delivered SMS is paid")
        self.assertLedgerReconciles()

    def test_cancel_releases(self):
        sms = self._queue_sms(["41234567"])
        sms.action_set_canceled()
        self.assertEqual(sms.credit_state, "released")
        self.assertEqual(self._available(), Decimal("1000"))
        self.assertLedgerReconciles()

    @mute_logger("odoo.addons.mail.models.mail_activity")
    def test_send_larger_than_balance_waits_then_goes_after_purchase(self):
        self.wallet._adjust(self.wallet.lot_ids[0], Decimal("-1000") + 3 * NORWAY_SMS, "test: leave three SMS")
        sms = self._queue_sms([f"4123456{index}" for index in range(5)])
        self.assertEqual(sms.mapped("credit_state"), ["reserved"] * 3 + ["waiting"] * 2)
        waiting = sms.filtered(lambda record: record.credit_state == "waiting")
        self.assertIn("Waiting for SMS credits", waiting[0].failure_reason)
        self.assertTrue(self.wallet.activity_ids, "the SMS managers are told")
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 3, "exactly what the balance covers is sent")
        self.assertEqual(set(waiting.mapped("state")), {"outgoing"})
        self.assertLedgerReconciles()

        self.env["intellipush.credit.purchase"].create(
            {
                "wallet_id": self.wallet.id,
                "quantity": 100,
                "price_total": 59,
                "currency_id": self.company.currency_id.id,
                "create_vendor_bill": False,
            }
        ).action_confirm()

        self.assertEqual(set(waiting.mapped("credit_state")), {"reserved"})
        self.assertFalse(waiting[0].failure_reason)
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 5)
        self.assertSentOnce(sms)
        self.assertLedgerReconciles()

    def _seven_unpriced_sms_with_credits_for_five(self, first_number):
        """Seven SMS left unpriced for the dispatch (as a campaign committed
        chunk by chunk leaves them), with credits left for five."""
        self.wallet._adjust(self.wallet.lot_ids[0], Decimal("-1000") + 5 * NORWAY_SMS, "test: leave five SMS")
        sms = (
            self.env["sms.sms"]
            .sudo()
            .with_context(intellipush_reserve_in_dispatch=True)
            .create([{"number": str(first_number + index), "body": "Julesalg i dag!"} for index in range(7)])
            ._intellipush_queue()
        )
        self.assertEqual(set(sms.mapped("credit_state")), {False}, "left unpriced")
        return sms

    @mute_logger("odoo.addons.mail.models.mail_activity")
    def test_the_dispatch_reserves_a_campaign_slice_by_slice_and_leaves_the_uncovered_waiting(self):
        """A campaign committed chunk by chunk leaves its SMS for the dispatch to reserve."""
        sms = self._seven_unpriced_sms_with_credits_for_five(41234560)

        reserved = self.env["sms.sms"]._intellipush_reserve_unpriced_in_slices(2)

        self.assertEqual(reserved, 5)
        self.assertEqual(sms.mapped("credit_state"), ["reserved"] * 5 + ["waiting"] * 2, "oldest first")
        self.assertEqual(self.env["sms.sms"]._intellipush_reserve_unpriced_in_slices(2), 0, "nothing twice")
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 5)
        self.assertLedgerReconciles()

    @mute_logger("odoo.addons.mail.models.mail_activity")
    def test_the_claim_reserves_what_it_takes_and_leaves_the_uncovered_waiting(self):
        """SMS left unpriced for the dispatch are reserved by the claim that takes them."""
        sms = self._seven_unpriced_sms_with_credits_for_five(41234570)

        claimed = self.env["sms.sms"]._intellipush_claim(100)

        self.assertEqual(claimed, sms[:5], "oldest first, as far as the credits go")
        self.assertEqual(sms.mapped("state"), ["process"] * 5 + ["outgoing"] * 2)
        self.assertEqual(sms.mapped("credit_state"), ["reserved"] * 5 + ["waiting"] * 2)
        self.assertTrue(all(sms[5:].mapped("failure_reason")), "they say why they wait")
        self.assertEqual(self.env["sms.sms"]._intellipush_claim(100), self.env["sms.sms"], "nothing twice")
        self.assertLedgerReconciles()

    @mute_logger("odoo.addons.mail.models.mail_activity")
    def test_what_waits_for_credits_does_not_hold_up_what_is_reserved_behind_it(self):
        """A campaign the wallet cannot cover, left for the dispatch, does not
        stop an access code reserved after it from going."""
        self.wallet._adjust(self.wallet.lot_ids[0], Decimal("-1000") + NORWAY_SMS * 3 / 2, "test: one SMS and a half")
        campaign = (
            self.env["sms.sms"]
            .sudo()
            .with_context(intellipush_reserve_in_dispatch=True)
            .create([{"number": str(41234580 + index), "body": "Julesalg i dag! " * 20} for index in range(3)])
            ._intellipush_queue()
        )
        self.assertEqual(set(campaign.mapped("sms_segments")), {3})
        reserved = self.env["sms.sms"].sudo().create({"number": "41234590", "body": "Koden din: 123456"})
        reserved._intellipush_queue()
        self.assertEqual(reserved.credit_state, "reserved")

        claimed = self.env["sms.sms"]._intellipush_claim(2)

        self.assertEqual(claimed, reserved)
        self.assertEqual(campaign.mapped("credit_state"), ["waiting"] * 3)
        self.assertEqual(set(campaign.mapped("state")), {"outgoing"})

    def test_low_balance_alert_once_per_crossing(self):
        activity_type = self.env.ref("intellipush_sms.mail_activity_type_low_balance")
        self.wallet.low_balance_threshold = 999

        def alerts():
            return self.wallet.activity_ids.filtered(lambda act: act.activity_type_id == activity_type)

        self._queue_sms(["41234567"])
        self.assertEqual(len(alerts()), 1)
        self._queue_sms(["41234567"])
        self.assertEqual(len(alerts()), 1, "not again while still below")
        self.wallet._purchase(10, 5.9, self.company.currency_id)
        self.assertFalse(alerts(), "back above: the alert is closed")
        self._queue_sms(["41234567"] * 10)
        self.assertEqual(len(alerts()), 1, "a new crossing alerts again")

    def test_ledger_is_append_only(self):
        entry = self.env["intellipush.credit.ledger"].search([], limit=1)
        with self.assertRaises(UserError):
            entry.amount = 1_000_000
        with self.assertRaises(UserError):
            entry.unlink()
        with self.assertRaises(UserError):
            self.env["intellipush.credit.ledger"].create(
                {"wallet_id": self.wallet.id, "company_id": self.company.id, "entry_type": "adjustment", "amount": 5}
            )

    def test_adjustment_needs_a_reason_and_free_credits(self):
        lot = self.wallet.lot_ids[0]
        with self.assertRaises(UserError):
            self.wallet._adjust(lot, 5, "")
        with self.assertRaises(UserError):
            self.wallet._adjust(lot, -2000, "too much")
        self.wallet._adjust(lot, -10, "Intellipush support corrected the count")
        self.assertEqual(self.wallet._sums()[0], Decimal("990"))
        self.assertLedgerReconciles()

    def test_purchase_wizard_uses_tiers_and_drafts_the_vendor_bill(self):
        tiers = self.env["intellipush.credit.price.tier"].create(
            [
                {"min_quantity": 1000, "price_per_credit": 0.59},
                {"min_quantity": 10000, "price_per_credit": 0.49},
            ]
        )
        wizard = Form(self.env["intellipush.credit.purchase"].with_context(default_wallet_id=self.wallet.id))
        wizard.quantity = 12000
        self.assertEqual(wizard.price_per_credit, 0.49)
        self.assertEqual(wizard.price_total, 5880.0)
        wizard.price_total = 5800.0  # what was actually paid
        action = wizard.save().action_confirm()
        lot = self.env["intellipush.credit.lot"].browse(action["res_id"])
        self.assertEqual((lot.quantity, lot.price_total), (12000, 5800.0))
        self.assertEqual(lot.expiry_date, date.today() + relativedelta(months=24))
        bill = lot.vendor_bill_id
        self.assertEqual((bill.move_type, bill.state, bill.amount_total), ("in_invoice", "draft", 5800.0))
        self.assertEqual(bill.partner_id, self.env.ref("intellipush_sms.partner_intellipush"))
        self.assertEqual(self.wallet._sums()[0], Decimal("13000"))
        self.assertTrue(tiers)

    def test_dashboard_figures(self):
        self.wallet._purchase(
            50, 29.5, self.company.currency_id, date.today() - relativedelta(months=24) + timedelta(days=10)
        )
        self._queue_sms(["41234567"])
        self.wallet.invalidate_recordset()
        self.assertAlmostEqual(self.wallet.balance, 1050)
        self.assertAlmostEqual(self.wallet.reserved, float(NORWAY_SMS))
        self.assertAlmostEqual(self.wallet.available, 1050 - float(NORWAY_SMS))
        self.assertAlmostEqual(self.wallet.expiring_30, 50)
        self.assertAlmostEqual(self.wallet.expiring_90, 50)
        action = self.env["intellipush.credit.wallet"]._action_open_dashboard()
        self.assertEqual(action["res_id"], self.wallet.id)

    def test_composer_shows_the_cost_before_sending(self):
        partners = self.partner_kari | self.partner_ola | self.partner_sofia
        composer = self._mass_composer(partners, "Hei! Vi har fått inn nye varer.")
        # Two to Norway (1.1112 each) and one to Sweden (1.1364).
        self.assertIn("3 SMS, GSM-7, 1 segment(s) each: about 3.36 credits", composer.intellipush_cost_summary)
        single = (
            self.env["sms.composer"]
            .with_context(
                default_res_model="res.partner",
                default_res_id=self.partner_kari.id,
                default_composition_mode="comment",
            )
            .create({"body": "Hei Kari 😀 " + "x" * 70})
        )
        self.assertIn("1 SMS, UCS-2, 2 segment(s) each: about 2.22 credits", single.intellipush_cost_summary)

    def test_template_preview_shows_the_cost(self):
        template = self.env["sms.template"].create(
            {
                "name": "Velkommen",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body": "Hei {{ object.name }}, velkommen som kunde!",
            }
        )
        preview = self.env["sms.template.preview"].create(
            {
                "sms_template_id": template.id,
                "resource_ref": f"res.partner,{self.partner_kari.id}",
            }
        )
        self.assertEqual(preview.body, "Hei Kari Nordmann, velkommen som kunde!")
        self.assertIn("1 SMS, GSM-7, 1 segment(s) each: about 1.11 credits", preview.intellipush_cost_summary)

    def test_adjustment_wizard_records_the_reason(self):
        lot = self.wallet.lot_ids[0]
        wizard = self.env["intellipush.credit.adjust"].create({"lot_id": lot.id, "amount": -5, "reason": "Telling"})
        wizard.action_confirm()
        entry = self.env["intellipush.credit.ledger"].search([("entry_type", "=", "adjustment")])
        self.assertEqual((entry.amount, entry.reason, entry.user_id), (-5, "Telling", self.env.user))
        self.assertLedgerReconciles()

    def test_body_rewrite_reprices_only_when_the_cost_changes(self):
        sms = self._queue_sms(["41234567"], body="Julesalg! https://butikk.no/r/Ab3")
        ledger = self.env["intellipush.credit.ledger"]
        entries_before = ledger.search_count([("sms_id", "=", sms.id)])

        # A per-recipient link suffix, as SMS Marketing adds: still one segment.
        sms._intellipush_change_text({sms: f"{sms.body}/s/{sms.id}"})
        self.assertEqual(ledger.search_count([("sms_id", "=", sms.id)]), entries_before, "nothing to move")
        self.assertEqual(sms.credit_state, "reserved")

        sms._intellipush_change_text({sms: "Julesalg! " + "x" * 160})  # two segments now
        self.assertEqual(to_credits(sms.credit_cost), Decimal("2.2223"))
        self.assertEqual(sms.credit_state, "reserved")
        self.assertEqual(
            ledger.search([("sms_id", "=", sms.id)], order="id").mapped("entry_type")[-2:], ["release", "reservation"]
        )
        self.assertLedgerReconciles()


@tagged("post_install", "-at_install", "intellipush")
class TestCostConfirmation(IntellipushCase):
    """A long SMS, or a send above the company's threshold, shows its cost and waits for a yes."""

    def test_a_long_sms_asks_before_it_goes(self):
        composer = self._mass_composer(self.partner_kari, "Lang melding. " * 40)  # 560 characters: 4 segments
        self.assertIn("1 SMS of 4 segment(s) each, about 4.4", composer.intellipush_cost_warning)
        with self.assertRaisesRegex(UserError, "Send Anyway"):
            composer.action_send_sms()
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.partner_kari.id)]))
        composer.intellipush_cost_confirmed = True
        composer.action_send_sms()
        self.assertEqual(self.env["sms.sms"].search([("partner_id", "=", self.partner_kari.id)]).sms_segments, 4)

    def test_a_total_above_the_threshold_asks_and_a_short_one_does_not(self):
        self.company.intellipush_confirm_above = 2.0
        partners = self.partner_kari | self.partner_ola
        self.assertFalse(self._mass_composer(self.partner_kari, "Hei!").intellipush_cost_warning, "1,11 credits")
        composer = self._mass_composer(partners, "Hei!")
        self.assertIn("2 SMS of 1 segment(s) each, about 2.22 credits", composer.intellipush_cost_warning)
        self.company.intellipush_confirm_above = 0
        self.assertFalse(self._mass_composer(partners, "Hei!").intellipush_cost_warning, "0: never for the total")

    def test_the_send_form_asks_too_and_asks_again_after_a_change(self):
        send = self.env["intellipush.sms.send"].create(
            {"name": "Nyhetsbrev", "body": "Lang melding. " * 40, "partner_ids": [(6, 0, self.partner_kari.ids)]}
        )
        self.assertIn("1 SMS of 4 segment(s) each", send.cost_warning)
        with self.assertRaisesRegex(UserError, "Send Anyway"):
            send.action_send()
        self.assertEqual((send.state, send.run_ids), ("draft", self.env["intellipush.sms.send.run"]))

        with Form(send) as form:
            form.cost_confirmed = True
            form.body = "Lang melding, litt endret. " * 25
            self.assertFalse(form.cost_confirmed, "a changed text asks again")
            form.cost_confirmed = True
        send.action_send()
        self.assertEqual((send.state, send.run_ids.sms_ids.sms_segments), ("done", 5))
