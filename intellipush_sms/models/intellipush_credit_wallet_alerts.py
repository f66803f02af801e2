"""What the wallet tells people: activities for the SMS managers when the
available credits fall below the threshold or SMS wait for credits, and the
wallet's own dashboard and purchase actions.
"""

from odoo import _, api, models

from ..tools.credits import to_credits


class IntellipushCreditWallet(models.Model):
    _inherit = "intellipush.credit.wallet"

    # ------------------------------------------------------------
    # Alerts
    # ------------------------------------------------------------

    def _managers(self):
        return self.env.ref("intellipush_sms.group_intellipush_manager").users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share
        )

    def _schedule_for_managers(self, activity_xmlid, summary, note):
        """One open activity of this kind per manager, not one per run."""
        activity_type = self.env.ref(activity_xmlid)
        open_for = self.activity_ids.filtered(lambda act: act.activity_type_id == activity_type).user_id
        for manager in self._managers() - open_for:
            self.activity_schedule(activity_xmlid, summary=summary, note=note, user_id=manager.id)

    def _notify_waiting(self):
        self._schedule_for_managers(
            "intellipush_sms.mail_activity_type_credits_waiting",
            _("SMS wait for credits"),
            _("Some SMS cannot be sent: the wallet has too few credits. Buy credits to send them."),
        )

    def _waiting_resolved(self):
        """No SMS of this wallet waits for credits any more: the managers' reminder goes."""
        self.activity_unlink(["intellipush_sms.mail_activity_type_credits_waiting"])

    def _check_low_balance(self):
        """Alert once when the available credits cross the threshold downwards."""
        self.ensure_one()
        available = self._available()
        below = available < to_credits(self.low_balance_threshold)
        if below and not self.low_balance_alerted:
            self.low_balance_alerted = True
            self._schedule_for_managers(
                "intellipush_sms.mail_activity_type_low_balance",
                _("Low SMS credit balance"),
                _(
                    "Only %s credits are available. Buy credits before SMS start to wait.",
                    self._format_credits(available),
                ),
            )
        elif not below and self.low_balance_alerted:
            self.low_balance_alerted = False
            self.activity_unlink(["intellipush_sms.mail_activity_type_low_balance"])

    @api.model
    def _action_open_dashboard(self):
        """The current company's wallet, created on first use."""
        wallet = self._for_company(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": _("SMS Credits"),
            "res_model": self._name,
            "res_id": wallet.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_buy_credits(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Buy SMS Credits"),
            "res_model": "intellipush.credit.purchase",
            "view_mode": "form",
            "target": "new",
            "context": {"default_wallet_id": self.id},
        }
