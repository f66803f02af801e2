from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sms_provider = fields.Selection(related="company_id.sms_provider", readonly=False)
    intellipush_api_id = fields.Char(related="company_id.intellipush_api_id", readonly=False)
    intellipush_base_url = fields.Char(related="company_id.intellipush_base_url", readonly=False)
    intellipush_sender = fields.Char(related="company_id.intellipush_sender")
    intellipush_confirm_above = fields.Float(related="company_id.intellipush_confirm_above", readonly=False)
    intellipush_sender_is_text = fields.Boolean(related="company_id.intellipush_sender_is_text")
    intellipush_account_name = fields.Char(related="company_id.intellipush_account_name")
    intellipush_account_balance = fields.Float(related="company_id.intellipush_account_balance")
    intellipush_checked_at = fields.Datetime(related="company_id.intellipush_checked_at")
    intellipush_check_report = fields.Text(related="company_id.intellipush_check_report")
    intellipush_country_id = fields.Many2one(related="company_id.intellipush_country_id", readonly=False)
    intellipush_allow_fixed_line = fields.Boolean(related="company_id.intellipush_allow_fixed_line", readonly=False)
    intellipush_order_sms = fields.Boolean(related="company_id.intellipush_order_sms", readonly=False)
    intellipush_order_sms_template_id = fields.Many2one(
        related="company_id.intellipush_order_sms_template_id", readonly=False
    )
    intellipush_invoice_reminders = fields.Boolean(related="company_id.intellipush_invoice_reminders", readonly=False)
    intellipush_optout_footer = fields.Char(related="company_id.intellipush_optout_footer", readonly=False)
    intellipush_keyword = fields.Char(related="company_id.intellipush_keyword", readonly=False)
    intellipush_frequency_cap = fields.Boolean(related="company_id.intellipush_frequency_cap", readonly=False)
    intellipush_cap_per_day = fields.Integer(related="company_id.intellipush_cap_per_day", readonly=False)
    intellipush_cap_per_week = fields.Integer(related="company_id.intellipush_cap_per_week", readonly=False)
    intellipush_customer_basis = fields.Boolean(related="company_id.intellipush_customer_basis", readonly=False)
    intellipush_customer_optout = fields.Char(related="company_id.intellipush_customer_optout", readonly=False)
    intellipush_stop_words = fields.Char(related="company_id.intellipush_stop_words", readonly=False)
    intellipush_join_words = fields.Char(related="company_id.intellipush_join_words", readonly=False)
    intellipush_optout_confirmation = fields.Char(related="company_id.intellipush_optout_confirmation", readonly=False)
    intellipush_double_optin = fields.Boolean(related="company_id.intellipush_double_optin", readonly=False)
    intellipush_confirm_words = fields.Char(related="company_id.intellipush_confirm_words", readonly=False)
    intellipush_optin_request = fields.Char(related="company_id.intellipush_optin_request", readonly=False)
    intellipush_quiet_hours = fields.Boolean(related="company_id.intellipush_quiet_hours", readonly=False)
    intellipush_quiet_start = fields.Float(related="company_id.intellipush_quiet_start", readonly=False)
    intellipush_quiet_end = fields.Float(related="company_id.intellipush_quiet_end", readonly=False)
    intellipush_quiet_tz = fields.Selection(related="company_id.intellipush_quiet_tz", readonly=False)
    intellipush_quiet_sundays = fields.Boolean(related="company_id.intellipush_quiet_sundays", readonly=False)
    intellipush_quiet_holidays = fields.Boolean(related="company_id.intellipush_quiet_holidays", readonly=False)
    # The saved secret is never read back into the browser: the form only
    # shows whether one is set, and a new value typed here replaces it.
    intellipush_api_secret_new = fields.Char(
        "New API Secret",
        compute="_compute_intellipush_api_secret_new",
        inverse="_inverse_intellipush_api_secret_new",
        groups="base.group_system",
    )
    intellipush_api_secret_is_set = fields.Boolean(
        compute="_compute_intellipush_api_secret_new",
        groups="base.group_system",
    )

    @api.depends("company_id")
    def _compute_intellipush_api_secret_new(self):
        for settings in self:
            settings.intellipush_api_secret_new = False
            settings.intellipush_api_secret_is_set = bool(settings.company_id.sudo().intellipush_api_secret)

    def _inverse_intellipush_api_secret_new(self):
        for settings in self:
            if settings.intellipush_api_secret_new:
                settings.company_id.sudo().intellipush_api_secret = settings.intellipush_api_secret_new.strip()

    @api.model
    def _intellipush_switch_refused(self, company, provider):
        """Intellipush is chosen for a company that has not passed Test Connection yet."""
        return (
            provider == "intellipush"
            and not company._intellipush_active()
            and not company.sudo().intellipush_check_passed
        )

    @api.onchange("sms_provider")
    def _onchange_sms_provider_intellipush(self):
        if self._intellipush_switch_refused(self.company_id, self.sms_provider):
            self.sms_provider = self.company_id.sms_provider
            return {
                "warning": {
                    "title": _("Test the connection first"),
                    "message": _(
                        "Enter the Intellipush API ID and secret and click Test Connection: "
                        "the company switches to Intellipush when the check passes."
                    ),
                }
            }
        return None

    @api.model_create_multi
    def create(self, vals_list):
        # Related fields are written through by create: check before they reach the company.
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if self._intellipush_switch_refused(company, vals.get("sms_provider")):
                raise UserError(_("Intellipush can be chosen once Test Connection has passed with its credentials."))
        return super().create(vals_list)

    def action_intellipush_test_connection(self):
        """Save, then show what Intellipush says of the account, in a
        notification that stays until closed (the result is also kept on the
        settings page)."""
        self.ensure_one()
        company = self.company_id
        first_pass = not company.sudo().intellipush_check_passed
        self.execute()
        report = company._intellipush_check_connection()
        account = report["account"]
        wallet = self.env["intellipush.credit.wallet"]._for_company(company)
        # One sentence each: the notification shows its text as one paragraph.
        lines = [
            _("Account: %s.", account.name or account.uid or _("(no name)")),
            _("Sender name: %s.", account.sender_name or _("(none)")),
            _(
                "Credits at Intellipush: %(provider)s; in Odoo's prepaid wallet: %(wallet)s.",
                provider=formatLang(self.env, float(account.balance), digits=2)
                if account.balance is not None
                else _("unknown"),
                wallet=formatLang(self.env, float(wallet._available()), digits=2),
            ),
            *(f"{line}." for line in report["endpoints"]),
        ]
        if company.intellipush_sender_is_text:
            lines.append(_("Replies such as STOPP cannot be sent to a text sender name."))
        if first_pass and not company._intellipush_active():
            company.sms_provider = "intellipush"
            lines.append(_("%s now sends its SMS through Intellipush.", company.name))
        failing = report["failing"]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Intellipush answers, with errors") if failing else _("Intellipush connection works"),
                "message": " ".join(lines),
                "type": "warning" if failing else "success",
                "sticky": True,
            },
        }
