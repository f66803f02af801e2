import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import IntellipushCase


class AutomaticSmsCase(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"intellipush_order_sms": True, "intellipush_invoice_reminders": True})
        cls.product = cls.env["product.product"].create(
            {"name": "Sykkelservice", "type": "service", "list_price": 1250}
        )
        cls.partner_no_mobile = cls.env["res.partner"].create({"name": "Bjørn Uten Mobil", "email": "b@example.no"})

    def _sms_on(self, record):
        return self.env["sms.sms"].search(
            [("mail_message_id.model", "=", record._name), ("mail_message_id.res_id", "=", record.id)], order="id"
        )


@tagged("post_install", "-at_install", "intellipush")
class TestOrderConfirmationSms(AutomaticSmsCase):
    def _order(self, partner=None, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.partner_kari).id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
                **values,
            }
        )

    def test_confirmation_sends_one_rendered_norwegian_sms(self):
        order = self._order()
        order.action_confirm()

        sms = self._sms_on(order)
        self.assertEqual(len(sms), 1)
        self.assertTrue(sms.body.startswith(f"Hei Kari! Takk for bestillingen {order.name} på "), sms.body)
        self.assertIn(f"{order.amount_total:,.2f}", sms.body)
        self.assertIn("/r/", sms.body, "the portal page as a short tracked link")
        self.assertTrue(sms.body.endswith(f"Hilsen {self.company.name}"))
        self.assertEqual(sms.sms_encoding, "GSM-7", "the amount's no-break space does not force UCS-2")
        self.assertEqual(sms.sms_purpose, "transactional")
        self.assertEqual(sms.partner_id, self.partner_kari)
        self.assertTrue(order.intellipush_confirmation_sent_at)
        message = order.message_ids.filtered(lambda msg: msg.message_type == "sms")
        self.assertEqual(message.notification_ids.sms_id_int, sms.id, "logged on the chatter with its status")

        short_url = re.search(r"https?://\S+/r/\w+", sms.body).group()
        code = short_url.rsplit("/", 1)[1]
        link = self.env["link.tracker.code"].search([("code", "=", code)]).link_id
        self.assertEqual(link.url, order.get_base_url() + order.get_portal_url())

        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])

    def test_confirming_an_order_leaves_the_wallet_to_the_dispatch(self):
        """A burst of orders confirmed at once must not queue on the wallet's
        lock (nor fail on it): the dispatch reserves their SMS, then debits them."""
        ledger = self.env["intellipush.credit.ledger"]
        entries_before = ledger.search_count([])
        order = self._order()
        order.action_confirm()
        sms = self._sms_on(order)
        self.assertFalse(sms.credit_state, "not priced in the order's transaction")
        self.assertEqual(ledger.search_count([]), entries_before, "the wallet was not touched")

        self._process_queue()
        self.assertEqual((sms.state, sms.credit_state), ("pending", "debited"))
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])

    def test_reconfirming_does_not_send_again_but_resend_does(self):
        order = self._order()
        order.action_confirm()
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(len(self._sms_on(order)), 1)

        order.action_intellipush_resend_confirmation()
        self.assertEqual(len(self._sms_on(order)), 2)

    def test_order_optout_and_company_switch(self):
        opted_out = self._order(intellipush_sms_optout=True)
        opted_out.action_confirm()
        self.assertFalse(self._sms_on(opted_out))

        self.company.intellipush_order_sms = False
        order = self._order()
        order.action_confirm()
        self.assertFalse(self._sms_on(order))

    def test_customer_without_mobile_gets_a_note_not_an_error(self):
        order = self._order(partner=self.partner_no_mobile)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._sms_on(order))
        self.assertIn("has no valid mobile number", order.message_ids[0].body)
        self.assertFalse(order.intellipush_confirmation_sent_at)


@tagged("post_install", "-at_install", "intellipush")
class TestInvoiceReminders(AutomaticSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rules = cls.env["intellipush.reminder.rule"].search([("company_id", "=", cls.company.id)])
        cls.today = fields.Date.context_today(cls.env["account.move"].with_context(tz="Europe/Oslo"))

    def _invoice(self, due_in_days, partner=None, move_type="out_invoice", amount=1250.0):
        due = self.today + timedelta(days=due_in_days)
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.partner_kari).id,
                "invoice_date": due - timedelta(days=14),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product.id, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _run_cron(self):
        return self.env["account.move"]._cron_intellipush_invoice_reminders()

    def test_default_rules(self):
        self.assertEqual(self.rules.mapped("days_offset"), [-3, 0, 7, 14])

    def test_each_rule_once_per_invoice_also_after_a_crash(self):
        before = self._invoice(3)
        due_today = self._invoice(0, partner=self.partner_ola)
        overdue = self._invoice(-7)

        # A run that dies before its commit leaves nothing behind.
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self.assertEqual(self._run_cron(), 3)
            raise RuntimeError("worker killed before commit")
        self.env.invalidate_all()
        self.assertFalse(self.env["intellipush.invoice.reminder"].search([]))

        self.assertEqual(self._run_cron(), 3)
        self.assertEqual(self._run_cron(), 0, "a second run sends nothing more")

        for invoice, rule_offset, text in (
            (before, -3, "forfaller"),
            (due_today, 0, "forfaller i dag"),
            (overdue, 7, "og er ikke betalt"),
        ):
            sms = self._sms_on(invoice)
            self.assertEqual(len(sms), 1, invoice.name)
            self.assertIn(invoice.name, sms.body)
            self.assertIn(text, sms.body)
            self.assertIn("/r/", sms.body, "the payment page link")
            reminder = invoice.intellipush_reminder_ids
            self.assertEqual(
                (reminder.rule_id.days_offset, reminder.state, reminder.sms_id), (rule_offset, "sent", sms)
            )
        self.assertIn(fields.Date.to_string(before.invoice_date_due)[:4], self._sms_on(before).body)

        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 3)

    def test_only_the_latest_rule_when_several_are_due(self):
        # Missed days: -3 and 0 are both in the catch-up window; only 0 goes.
        invoice = self._invoice(-1)
        self._run_cron()
        self.assertEqual(invoice.intellipush_reminder_ids.rule_id.days_offset, 0)
        self.assertEqual(len(self._sms_on(invoice)), 1)

    def test_paid_and_reversed_invoices_get_nothing(self):
        paid = self._invoice(0)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {}
        )._create_payments()
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        reversed_invoice = self._invoice(0)
        reversed_invoice._reverse_moves(cancel=True)
        self.assertEqual(reversed_invoice.payment_state, "reversed")

        self._run_cron()

        self.assertFalse(self._sms_on(paid) | self._sms_on(reversed_invoice))
        self.assertFalse((paid | reversed_invoice).intellipush_reminder_ids)

    def test_skipped_with_a_reason_on_the_chatter(self):
        no_mobile = self._invoice(0, partner=self.partner_no_mobile)
        credit_note = self._invoice(0, move_type="out_refund")

        self._run_cron()
        self._run_cron()

        for invoice, reason in (
            (no_mobile, "has no valid mobile number"),
            (credit_note, "Credit notes get no payment reminder"),
        ):
            self.assertFalse(self._sms_on(invoice))
            self.assertEqual(invoice.intellipush_reminder_ids.state, "skipped")
            self.assertIn(reason, invoice.intellipush_reminder_ids.reason)
            notes = [msg for msg in invoice.message_ids if reason in (msg.body or "")]
            self.assertEqual(len(notes), 1, "one note, not one per run")

    def test_switched_off_company_sends_nothing(self):
        self._invoice(0)
        self.company.intellipush_invoice_reminders = False
        self.assertEqual(self._run_cron(), 0)


@tagged("post_install", "-at_install", "intellipush")
class TestRemindersByHand(IntellipushCase):
    def test_a_manager_runs_the_reminders_without_debug_mode(self):
        cron = self.env.ref("intellipush_sms.ir_cron_intellipush_invoice_reminders")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        result = self.env["intellipush.reminder.rule"].action_send_due_reminders()
        self.assertEqual(result["params"]["title"], "Reminders on their way")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
