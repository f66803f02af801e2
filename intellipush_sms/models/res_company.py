import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import intellipush_api, sms_keywords
from ..tools.phone_numbers import DEFAULT_REGION
from .intellipush_consent_log import PENDING_CONSENT_DAYS

_logger = logging.getLogger(__name__)

# A system parameter wins over the company's base URL, so a copied database
# can be pointed at the sandbox without touching company records.
BASE_URL_PARAM = "intellipush_sms.base_url"
TIMEOUT_PARAM = "intellipush_sms.timeout"
# Read-only calls the connection check makes besides ``user`` (CONTRACT §8):
# endpoint -> the client's method; none sends or changes anything.
CONNECTION_CHECKS = {"sms/getSent": "get_sent", "sms/getUnsent": "get_unsent", "sms/getReceived": "get_received"}


class ResCompany(models.Model):
    _inherit = "res.company"

    # Odoo IAP until an admin has entered Intellipush credentials and Test
    # Connection has passed: installing the addon changes nothing before that.
    sms_provider = fields.Selection(
        selection="_selection_sms_provider",
        string="SMS Provider",
        default="iap",
        required=True,
        help="Service that sends the SMS of this company. Intellipush can be chosen once Test Connection "
        "has passed with its credentials.",
    )
    intellipush_check_passed = fields.Boolean(
        "Intellipush Connection Checked",
        readonly=True,
        copy=False,
        help="Test Connection passed with the credentials saved now.",
    )
    intellipush_api_id = fields.Char("Intellipush API ID", groups="base.group_system", copy=False)
    intellipush_api_secret = fields.Char("Intellipush API Secret", groups="base.group_system", copy=False)
    intellipush_base_url = fields.Char(
        "Intellipush API URL",
        default=intellipush_api.DEFAULT_BASE_URL,
        groups="base.group_system",
    )
    # What Intellipush says of the account (CONTRACT §3), as of the last connection check.
    intellipush_sender = fields.Char(
        "SMS Sender Name",
        readonly=True,
        copy=False,
        help="The sender every SMS of the Intellipush account carries; it is set in the Intellipush account, "
        "not per message. Read by Test Connection.",
    )
    intellipush_confirm_above = fields.Float(
        "Confirm Sends Above",
        digits=(16, 2),
        default=50.0,
        help="A send costing more credits than this in all, or an SMS longer than 3 segments, "
        "asks the sender to confirm the cost first. 0: never ask for the total.",
    )
    intellipush_account_name = fields.Char("Intellipush Account", readonly=True, copy=False)
    intellipush_account_timezone = fields.Char(
        "Intellipush Time Zone",
        readonly=True,
        copy=False,
        help="The account's time zone, in which Intellipush reports when an SMS was sent.",
    )
    intellipush_account_balance = fields.Float("Credits at Intellipush", digits=(16, 2), readonly=True, copy=False)
    intellipush_checked_at = fields.Datetime("Last Connection Check", readonly=True, copy=False)
    intellipush_check_report = fields.Text("Connection Check Result", readonly=True, copy=False)
    intellipush_sender_is_text = fields.Boolean(compute="_compute_intellipush_sender_is_text")
    intellipush_country_id = fields.Many2one(
        "res.country",
        string="Default SMS Country",
        help="Country of numbers written without an international prefix. Empty: the company's country, or Norway.",
    )
    intellipush_allow_fixed_line = fields.Boolean(
        "SMS to Landlines",
        help="Send SMS to landline numbers too, for countries whose operators read them aloud to the landline. "
        "Off: landline numbers are refused before any credit is set aside, with the reason shown.",
    )

    # Marketing per contact (number), counted over rolling windows: see sms_sms_frequency_cap.py.
    intellipush_frequency_cap = fields.Boolean(
        "Marketing Frequency Cap",
        help="Limit how many marketing SMS one number receives: a recipient over the limit is skipped, "
        "with the reason shown in the estimate and in the campaign results. Access codes and transactional "
        "SMS are never limited.",
    )
    intellipush_cap_per_day = fields.Integer(
        "Marketing SMS per 24 Hours",
        default=1,
        help="The most marketing SMS one number receives in any 24 hours. 0: no limit.",
    )
    intellipush_cap_per_week = fields.Integer(
        "Marketing SMS per 7 Days",
        default=3,
        help="The most marketing SMS one number receives in any 7 days. 0: no limit.",
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
    # Markedsføringsloven § 15(3): a number collected in a sale may receive
    # offers of the shop's own similar products, if an opt-out was offered then.
    intellipush_customer_basis = fields.Boolean(
        "Existing-customer Basis",
        help="Record the existing-customer basis (§15(3)) of the customer's mobile number when a sales order is "
        "confirmed (and, with the Point of Sale, when an order is paid), with the opt-out offered below. The "
        "opt-out is printed on quotations and order confirmations and added to the confirmation SMS.",
    )
    intellipush_customer_optout = fields.Char(
        "Opt-out at Collection",
        default="Du kan reservere deg mot markedsføring på SMS: svar STOPP",
        help="The free and simple opt-out offered when the number is collected in a sale, as it is printed and "
        "recorded as proof.",
    )
    intellipush_optout_confirmation = fields.Char(
        "Opt-out Confirmation",
        help="Sent back after an opt-out keyword. Empty: no confirmation.",
    )
    # Double opt-in (markedsføringsloven § 15 asks the business to show the consent): a join keyword
    # only asks; the consent is recorded when the contact confirms, with both SMS as its proof.
    intellipush_double_optin = fields.Boolean(
        "Double Opt-in",
        default=True,
        help="A join keyword gets a confirmation request; the marketing consent is recorded only when the "
        "contact answers with a confirmation word within 7 days. Off: a join keyword records it at once.",
    )
    intellipush_confirm_words = fields.Char(
        "Confirmation Words",
        default="JA",
        help="Comma-separated words that, after the code word, confirm a pending join. A confirmation word "
        "that is also an opt-in word (JA) joins when no request waits for it.",
    )
    intellipush_optin_request = fields.Char(
        "Confirmation Request",
        help="Sent after a join keyword to ask for the confirmation. Empty: a Norwegian text naming the code "
        "word, the first confirmation and opt-out words and the company.",
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

    def _selection_sms_provider(self):
        """Odoo's providers, then ours. Newer 18.0 releases define this field in
        ``sms_twilio`` ("Send via Odoo", "Send via Twilio"): a fixed list here
        would drop Twilio's option, so the options of what is installed are listed."""
        options = [("iap", _("Send via Odoo"))]
        if "sms_twilio" in self.env.registry._init_modules:
            options.append(("twilio", _("Send via Twilio")))
        return [*options, ("intellipush", _("Intellipush"))]

    def _intellipush_active(self):
        """Whether this company's SMS go through Intellipush (the gateway, its
        policy, wallet and automatic SMS); otherwise Odoo's own behaviour."""
        self.ensure_one()
        return self.sms_provider == "intellipush"

    @api.constrains("intellipush_cap_per_day", "intellipush_cap_per_week")
    def _check_intellipush_frequency_cap(self):
        if any(company.intellipush_cap_per_day < 0 or company.intellipush_cap_per_week < 0 for company in self):
            raise ValidationError(_("A frequency cap is a number of SMS: 0 or more (0 means no limit)."))

    def _intellipush_frequency_capped(self):
        """Whether this company limits the marketing SMS per number (sms_sms_frequency_cap.py)."""
        self.ensure_one()
        return self.intellipush_frequency_cap and bool(self.intellipush_cap_per_day or self.intellipush_cap_per_week)

    @api.constrains("intellipush_base_url")
    def _check_intellipush_base_url(self):
        for company in self.sudo():
            if company.intellipush_base_url:
                try:
                    intellipush_api.check_base_url(company.intellipush_base_url)
                except intellipush_api.ConfigurationError:
                    raise ValidationError(company._intellipush_bad_url_message(company.intellipush_base_url)) from None

    def _intellipush_bad_url_message(self, base_url):
        """Why the API ID and secret may not travel to ``base_url``, for people."""
        self.ensure_one()
        return _(
            "The Intellipush API URL of %(company)s must be an https:// address (plain http:// only for a sandbox "
            "on this machine): %(url)s",
            company=self.name,
            url=base_url,
        )

    def write(self, vals):
        if {"intellipush_api_id", "intellipush_api_secret", "intellipush_base_url"} & set(vals):
            # New credentials must pass Test Connection again before a switch.
            vals = {"intellipush_check_passed": False, **vals}
        return super().write(vals)

    @api.model
    def _intellipush_fall_back_unconfigured(self):
        """Companies on Intellipush without credentials go back to Odoo IAP
        (installs made before the provider defaulted to IAP). Returns them."""
        companies = (
            self.sudo()
            .with_context(active_test=False)
            .search([("sms_provider", "=", "intellipush")])
            .filtered(lambda company: not company._intellipush_is_configured())
        )
        companies.write({"sms_provider": "iap"})
        return companies

    def _compute_intellipush_sender_is_text(self):
        for company in self:
            sender = (company.intellipush_sender or "").lstrip("+")
            company.intellipush_sender_is_text = bool(sender) and not sender.isdigit()

    def _intellipush_phone_region(self):
        """ISO code of the region that numbers without a prefix belong to."""
        self.ensure_one()
        country = self.intellipush_country_id or self.country_id
        return country.code or DEFAULT_REGION

    def _intellipush_mobile_only(self):
        """Whether numbers sent to must be mobiles (``normalize``'s ``mobile_only``):
        only an Intellipush company refuses landlines, unless it allows them."""
        self.ensure_one()
        return self.sms_provider == "intellipush" and not self.intellipush_allow_fixed_line

    def _intellipush_with_optout_footer(self, body):
        """A marketing text ending with the company's opt-out instruction (once)."""
        self.ensure_one()
        footer = (self.intellipush_optout_footer or "").strip()
        if not footer or body.rstrip().endswith(footer):
            return body
        return f"{body.rstrip()}\n{footer}"

    def _intellipush_customer_optout_text(self):
        """The opt-out offered where numbers are collected in a sale, when
        sales record the existing-customer basis (§ 15(3)); "" otherwise:
        without an opt-out to offer, no basis is recorded."""
        self.ensure_one()
        return (self.intellipush_customer_optout or "").strip() if self.intellipush_customer_basis else ""

    def _intellipush_with_customer_optout(self, body):
        """``body`` ending with the opt-out offered where numbers are collected in a sale (once)."""
        optout = self._intellipush_customer_optout_text()
        return body if not optout or optout in body else f"{body.rstrip()}\n{optout}"

    def _intellipush_optin_request_text(self):
        """The confirmation request a join keyword gets: the company's text, or
        one made from the words in use now (a stored default would keep naming
        a code word changed since). Norwegian, as the keywords customers write."""
        self.ensure_one()
        custom = (self.intellipush_optin_request or "").strip()
        if custom:
            return custom
        code = " ".join(sms_keywords.words(self.intellipush_keyword))

        def reply(word):
            return f"{code} {word}" if code else word

        confirm = reply(sms_keywords.first_phrase(self.intellipush_confirm_words) or "JA")
        stop = reply(sms_keywords.first_phrase(self.intellipush_stop_words) or "STOPP")
        return (
            f"Svar {confirm} innen {PENDING_CONSENT_DAYS} dager for å bekrefte at du vil ha SMS-tilbud fra "
            f"{self.name}. Svar {stop} for å melde deg av."
        )

    def _intellipush_timezone(self):
        """The Intellipush account's time zone (CONTRACT §3): times in its answers are in it."""
        self.ensure_one()
        try:
            return ZoneInfo(self.intellipush_account_timezone or intellipush_api.DEFAULT_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(intellipush_api.DEFAULT_TIMEZONE)

    def _intellipush_account_time(self, utc_naive):
        """A naive UTC datetime (Odoo's) as the account's naive local time."""
        return pytz.utc.localize(utc_naive).astimezone(self._intellipush_timezone()).replace(tzinfo=None)

    def _intellipush_utc(self, account_naive):
        """A naive time in the account's zone (Intellipush's) as naive UTC (Odoo's)."""
        local = account_naive.replace(tzinfo=self._intellipush_timezone())
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _intellipush_is_configured(self):
        self.ensure_one()
        company_sudo = self.sudo()
        return bool(company_sudo.intellipush_api_id and company_sudo.intellipush_api_secret)

    def _intellipush_get_client(self):
        """Client for this company's Intellipush account.

        Raises UserError when the credentials are missing or the API URL is one
        they may not travel to (callers skip this company, the others go on),
        and refuses to run while the registry loads: no provider call during a
        module install.
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
        try:
            read_timeout = float(icp_sudo.get_param(TIMEOUT_PARAM, 20))
        except ValueError:
            _logger.warning("Intellipush: system parameter %s is not a number of seconds; 20 s used", TIMEOUT_PARAM)
            read_timeout = 20.0
        try:
            return intellipush_api.IntellipushClient(
                base_url,
                company_sudo.intellipush_api_id,
                company_sudo.intellipush_api_secret,
                timeout=(5, read_timeout),
            )
        except intellipush_api.ConfigurationError as error:
            raise UserError(self._intellipush_bad_url_message(base_url)) from error

    def _intellipush_check_connection(self):
        """Ask Intellipush about the account and call each read-only endpoint.

        Stores what the account says (name, sender name, time zone, balance)
        and which endpoints answered; returns the report lines. Raises
        UserError when the credentials are refused or nothing answers.
        """
        self.ensure_one()
        client = self._intellipush_get_client()
        try:
            account = client.get_user()
        except intellipush_api.AuthenticationError as error:
            raise UserError(_("Intellipush refused the API ID or secret. Check them and try again.")) from error
        except intellipush_api.IntellipushError as error:
            raise UserError(_("Intellipush could not be reached: %s", error.message)) from error
        answered = ["user"]
        failed = {}
        for endpoint, method in CONNECTION_CHECKS.items():
            try:
                getattr(client, method)(page=1, items=1)
            except intellipush_api.IntellipushError as error:
                failed[endpoint] = error.message
            else:
                answered.append(endpoint)
        # self.env._: Odoo's _() cannot find the language inside a comprehension.
        report_lines = [self.env._("Answer: %s", ", ".join(answered))]
        report_lines += [
            self.env._("Fails: %(endpoint)s (%(error)s)", endpoint=endpoint, error=error)
            for endpoint, error in failed.items()
        ]
        self.sudo().write(
            {
                "intellipush_account_name": account.name or account.uid,
                "intellipush_sender": account.sender_name,
                "intellipush_account_timezone": account.timezone,
                "intellipush_account_balance": float(account.balance) if account.balance is not None else 0.0,
                "intellipush_checked_at": fields.Datetime.now(),
                "intellipush_check_report": "\n".join(report_lines),
                "intellipush_check_passed": True,
            }
        )
        return {"account": account, "endpoints": report_lines, "failing": bool(failed)}
