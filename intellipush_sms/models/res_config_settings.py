from odoo import _, api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sms_provider = fields.Selection(related="company_id.sms_provider", readonly=False)
    intellipush_api_id = fields.Char(related="company_id.intellipush_api_id", readonly=False)
    intellipush_base_url = fields.Char(related="company_id.intellipush_base_url", readonly=False)
    intellipush_sender = fields.Char(related="company_id.intellipush_sender", readonly=False)
    intellipush_country_id = fields.Many2one(related="company_id.intellipush_country_id", readonly=False)
    intellipush_order_sms = fields.Boolean(related="company_id.intellipush_order_sms", readonly=False)
    intellipush_order_sms_template_id = fields.Many2one(
        related="company_id.intellipush_order_sms_template_id", readonly=False
    )
    intellipush_invoice_reminders = fields.Boolean(related="company_id.intellipush_invoice_reminders", readonly=False)
    intellipush_optout_footer = fields.Char(related="company_id.intellipush_optout_footer", readonly=False)
    intellipush_keyword = fields.Char(related="company_id.intellipush_keyword", readonly=False)
    intellipush_stop_words = fields.Char(related="company_id.intellipush_stop_words", readonly=False)
    intellipush_join_words = fields.Char(related="company_id.intellipush_join_words", readonly=False)
    intellipush_optout_confirmation = fields.Char(related="company_id.intellipush_optout_confirmation", readonly=False)
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

    def action_intellipush_test_connection(self):
        """Save, then show the Intellipush account the credentials log into."""
        self.ensure_one()
        self.execute()
        account = self.company_id._intellipush_check_connection()
        details = ", ".join(str(value) for value in (account.get("username"), account.get("company")) if value)
        message = _("Connected to Intellipush as %s.", details or _("your account"))
        if account.get("credits") is not None:
            message += " " + _("Credits on the Intellipush account: %s.", account["credits"])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Intellipush connection works"),
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
