import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import intellipush_api
from ..tools.phone_numbers import DEFAULT_REGION

# A system parameter wins over the company's base URL, so a copied database
# can be pointed at the sandbox without touching company records.
BASE_URL_PARAM = "intellipush_sms.base_url"
TIMEOUT_PARAM = "intellipush_sms.timeout"
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9]{3,11}$")


class ResCompany(models.Model):
    _inherit = "res.company"

    sms_provider = fields.Selection(
        [("iap", "Odoo IAP"), ("intellipush", "Intellipush")],
        string="SMS Provider",
        default="intellipush",
        required=True,
        help="Service that sends the SMS of this company.",
    )
    intellipush_api_id = fields.Char("Intellipush API ID", groups="base.group_system", copy=False)
    intellipush_api_secret = fields.Char("Intellipush API Secret", groups="base.group_system", copy=False)
    intellipush_base_url = fields.Char(
        "Intellipush API URL",
        default=intellipush_api.DEFAULT_BASE_URL,
        groups="base.group_system",
    )
    intellipush_sender = fields.Char(
        "SMS Sender Name",
        help="Alphanumeric sender shown on the handset (3 to 11 letters or digits), "
        "when your Intellipush account allows a custom sender. Empty: the account's default.",
    )
    intellipush_country_id = fields.Many2one(
        "res.country",
        string="Default SMS Country",
        help="Country of numbers written without an international prefix. Empty: the company's country, or Norway.",
    )

    intellipush_optout_footer = fields.Char(
        "Opt-out Instruction",
        help='Added at the end of every marketing SMS, e.g. "Svar BUTIKK STOPP til 2160".',
    )
    intellipush_keyword = fields.Char(
        "SMS Code Word",
        help='The word customers start their SMS with, e.g. BUTIKK in "BUTIKK STOPP". '
        "Empty: replies without a code word count too.",
    )
    intellipush_stop_words = fields.Char(
        "Opt-out Words",
        default="STOPP, STOP, AVMELD",
        help="Comma-separated words that, after the code word, put the number on the blacklist.",
    )
    intellipush_join_words = fields.Char(
        "Opt-in Words",
        default="START, JA, BLI MED",
        help="Comma-separated words that, after the code word, remove the number from the blacklist "
        "and record the marketing consent.",
    )
    intellipush_optout_confirmation = fields.Char(
        "Opt-out Confirmation",
        help="Sent back after an opt-out keyword. Empty: no confirmation.",
    )

    intellipush_order_sms = fields.Boolean(
        "SMS Order Confirmation",
        default=True,
        help="Customers get an SMS when their sales order is confirmed.",
    )
    intellipush_order_sms_template_id = fields.Many2one(
        "sms.template",
        "Order Confirmation Template",
        domain=[("model", "=", "sale.order")],
        default=lambda self: self.env.ref("intellipush_sms.sms_template_sale_order_confirmation", False),
    )
    intellipush_invoice_reminders = fields.Boolean(
        "SMS Invoice Reminders",
        default=True,
        help="Unpaid customer invoices get SMS reminders following the reminder rules.",
    )
    intellipush_reminder_rule_ids = fields.One2many("intellipush.reminder.rule", "company_id", "Reminder Rules")

    @api.constrains("intellipush_sender")
    def _check_intellipush_sender(self):
        for company in self:
            if company.intellipush_sender and not SENDER_PATTERN.match(company.intellipush_sender):
                raise ValidationError(_("The SMS sender name must be 3 to 11 letters or digits, without spaces."))

    def _intellipush_phone_region(self):
        """ISO code of the region that numbers without a prefix belong to."""
        self.ensure_one()
        country = self.intellipush_country_id or self.country_id
        return country.code or DEFAULT_REGION

    def _intellipush_with_optout_footer(self, body):
        """A marketing text ending with the company's opt-out instruction (once)."""
        self.ensure_one()
        footer = (self.intellipush_optout_footer or "").strip()
        if not footer or body.rstrip().endswith(footer):
            return body
        return f"{body.rstrip()}\n{footer}"

    def _intellipush_is_configured(self):
        self.ensure_one()
        company_sudo = self.sudo()
        return bool(company_sudo.intellipush_api_id and company_sudo.intellipush_api_secret)

    def _intellipush_get_client(self):
        """Client for this company's Intellipush account.

        Raises UserError when the credentials are missing, and refuses to run
        while the registry loads: no provider call during a module install.
        """
        self.ensure_one()
        if not self.env.registry.ready:
            raise UserError(_("Intellipush is unavailable during module installation."))
        if not self._intellipush_is_configured():
            raise UserError(
                _("Intellipush is not configured for %s: add the API ID and secret in Settings.", self.name)
            )
        company_sudo = self.sudo()
        icp_sudo = self.env["ir.config_parameter"].sudo()
        base_url = (
            icp_sudo.get_param(BASE_URL_PARAM) or company_sudo.intellipush_base_url or intellipush_api.DEFAULT_BASE_URL
        )
        read_timeout = float(icp_sudo.get_param(TIMEOUT_PARAM, 20))
        return intellipush_api.IntellipushClient(
            base_url,
            company_sudo.intellipush_api_id,
            company_sudo.intellipush_api_secret,
            timeout=(5, read_timeout),
        )

    def _intellipush_check_connection(self):
        """Call the ``user`` endpoint; return its account data or raise UserError."""
        self.ensure_one()
        client = self._intellipush_get_client()
        try:
            return client.get_user()
        except intellipush_api.AuthenticationError as error:
            raise UserError(_("Intellipush refused the API ID or secret. Check them and try again.")) from error
        except intellipush_api.IntellipushError as error:
            raise UserError(_("Intellipush could not be reached: %s", error.message)) from error
