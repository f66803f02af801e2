import logging
import zlib

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import intellipush_api, sms_keywords
from ..tools.phone_display import display_number
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from ..tools.storable_text import storable

_logger = logging.getLogger(__name__)

# Pages of ``sms/getReceived`` read per poll at most; a page that holds only
# known messages ends the poll earlier.
MAX_PAGES = 10
PAGE_SIZE = 100
# Advisory lock class shared by every server polling the same database.
POLL_LOCK_KEY = zlib.crc32(b"intellipush.inbound.sms") & 0x7FFFFFFF
# What a join keyword did under double opt-in, and the confirmation that completed it.
OPT_IN_REQUESTED = "opt_in_requested"
OPT_IN_CONFIRMED = "opt_in_confirmed"


class IntellipushInboundSms(models.Model):
    """An SMS received on the company's Intellipush number.

    Odoo has no model for inbound SMS. Rows are written by the polling cron
    only, exactly once per Intellipush id and company.
    """

    _name = "intellipush.inbound.sms"
    _description = "Received SMS"
    _order = "received_at DESC, id DESC"
    _rec_name = "number"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    provider_id = fields.Char("Intellipush ID", required=True, readonly=True)
    number = fields.Char(
        "From (E.164)",
        readonly=True,
        help="Sender's number, E.164 when it could be parsed. Empty when Intellipush's row did not say.",
    )
    number_display = fields.Char("From", compute="_compute_number_display")
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, index="btree_not_null")
    body = fields.Text("Message", readonly=True)
    keyword = fields.Char(readonly=True, index=True)
    received_at = fields.Datetime("Received", readonly=True, index=True)
    state = fields.Selection(
        [("new", "New"), ("done", "Processed"), ("unreadable", "Unreadable: check at Intellipush")],
        default="new",
        required=True,
        readonly=True,
        index=True,
        help="New messages still wait for keyword processing (opt-out, opt-in). Unreadable ones came from "
        "Intellipush without a sender number or id: they are kept for a person to look up, never acted on.",
    )
    action = fields.Selection(
        [
            (sms_keywords.OPT_OUT, "Opt-out"),
            (sms_keywords.OPT_IN, "Opt-in"),
            (OPT_IN_REQUESTED, "Opt-in: Confirmation Asked"),
            (OPT_IN_CONFIRMED, "Opt-in: Confirmed"),
            ("message", "Message"),
        ],
        string="Understood As",
        readonly=True,
        index=True,
    )

    reply_state = fields.Selection(
        [
            ("to_reply", "Awaiting Reply"),
            ("replied", "Replied"),
            ("handled", "Handled"),
            ("none", "No Reply Needed"),
        ],
        string="Reply",
        readonly=True,
        index=True,
        copy=False,
        help="A message from a customer waits for a reply until someone answers it or marks it as handled; "
        "opt-out, opt-in and confirmation keywords need none.",
    )
    reply_sms_ids = fields.One2many("sms.sms", "intellipush_reply_to_id", string="Replies", readonly=True)
    optin_request_sms_id = fields.Many2one(
        "sms.sms",
        "Confirmation Request",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="Double opt-in: the SMS that asked this join to be confirmed. A confirmation counts once it has left.",
    )
    replied_by_id = fields.Many2one("res.users", "Handled By", readonly=True, copy=False)
    replied_at = fields.Datetime("Handled At", readonly=True, copy=False)

    _sql_constraints = [
        (
            "provider_id_company_unique",
            "unique(company_id, provider_id)",
            "This Intellipush message was already received.",
        ),
    ]

    @api.model
    def _cron_intellipush_inbound(self):
        """Cron: fetch new messages, then act on every unprocessed one, then
        let the pending consents whose confirmation window has passed lapse.

        Each message is processed in its own transaction, retried on a
        serialization failure: an opt-out confirmation reserves credits on
        the wallet that the dispatch cron may be updating at the same time.
        The lapse comes last: a confirmation received within the window but
        read late (Intellipush or this cron was down) still counts.
        """
        runner = self.env["intellipush.cron.runner"]
        self._intellipush_fetch()
        runner._commit()
        for message in self.search([("state", "=", "new")], order="received_at, id"):
            runner._run_batch(message._intellipush_process)
        runner._run_batch(self.env["res.partner"]._sms_lapse_expired_pending)

    @api.model
    def _intellipush_fetch(self):
        """Cron: store messages received since the last poll, once each."""
        companies = self.env["res.company"].sudo().search([("sms_provider", "=", "intellipush")])
        created = self.browse()
        configured = companies.filtered(lambda c: c._intellipush_is_configured())
        for company, client in self.env["intellipush.cron.runner"]._clients(configured, "inbound poll"):
            # One poller per company at a time; another server skips it.
            self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [POLL_LOCK_KEY, company.id])
            if not self.env.cr.fetchone()[0]:
                continue
            try:
                created |= self._intellipush_fetch_company(company, client)
            except intellipush_api.IntellipushError as error:
                _logger.warning("Intellipush inbound poll failed for %s: %s", company.name, error)
        return created

    @api.model
    def _intellipush_fetch_company(self, company, client):
        received = []
        for page in range(1, MAX_PAGES + 1):
            # CONTRACT §5: no keyword filter. An empty keyword returns every received message; a filter
            # on the code word would hide an opt-out written without it or misspelt ("Demobutik stopp").
            page_messages = client.get_received(page=page, items=PAGE_SIZE)
            known = set(
                self.search(
                    [
                        ("company_id", "=", company.id),
                        ("provider_id", "in", [message.provider_id for message in page_messages]),
                    ]
                ).mapped("provider_id")
            )
            received.extend(message for message in page_messages if message.provider_id not in known)
            if len(page_messages) < PAGE_SIZE or known:
                break
        unique = {message.provider_id: message for message in received}
        if not unique:
            return self.browse()
        region = company._intellipush_phone_region()
        numbers = {provider_id: _sender_number(message, region) for provider_id, message in unique.items()}
        partner_by_number = self._intellipush_match_partners(set(numbers.values()))
        return self.create(
            [
                {
                    "company_id": company.id,
                    "provider_id": provider_id,
                    "number": numbers[provider_id],
                    "partner_id": partner_by_number.get(numbers[provider_id], False),
                    "body": storable(message.message),
                    "keyword": storable(message.keyword) or _first_word(storable(message.message)),
                    "received_at": company._intellipush_utc(message.received_at)
                    if message.received_at
                    else fields.Datetime.now(),
                    "state": "new" if message.complete else "unreadable",
                }
                for provider_id, message in unique.items()
            ]
        )

    @api.model
    def _intellipush_match_partners(self, numbers):
        """{E.164 number: partner id}, oldest partner first, in one query."""
        partners = (
            self.env["res.partner"]
            .sudo()
            .search_read([("phone_sanitized", "in", list(numbers))], ["phone_sanitized"], order="id")
        )
        partner_by_number = {}
        for partner in partners:
            partner_by_number.setdefault(partner["phone_sanitized"], partner["id"])
        return partner_by_number

    # ------------------------------------------------------------
    # Keyword processing
    # ------------------------------------------------------------

    def _intellipush_process(self):
        """Act on received messages, oldest first: opt-out and opt-in keywords
        change the blacklist and the consent (under double opt-in a join asks
        for a confirmation, which grants it); anything else goes to the
        contact's chatter. Each message is processed once."""
        for message in self.filtered(lambda msg: msg.state == "new").sorted(lambda msg: (msg.received_at, msg.id)):
            action = message._intellipush_act_on_keyword()
            message.write(
                {
                    "state": "done",
                    "action": action,
                    # A customer's words wait for a person; a keyword was dealt with here.
                    "reply_state": "to_reply" if action == "message" else "none",
                }
            )

    def _intellipush_act_on_keyword(self):
        """Act on this message's keyword; returns what it was understood as (``action``)."""
        self.ensure_one()
        company = self.company_id
        rules = {
            "code_word": company.intellipush_keyword,
            "stop_words": company.intellipush_stop_words,
            "join_words": company.intellipush_join_words,
        }
        confirm_words = company.intellipush_confirm_words if company.intellipush_double_optin else ""
        keyword = sms_keywords.classify(self.body, **rules, confirm_words=confirm_words)
        if keyword == sms_keywords.CONFIRM:
            if self._intellipush_confirm_opt_in():
                return OPT_IN_CONFIRMED
            # Nothing waited for it: the words mean what they would without
            # double opt-in (JA is a join word too), else an ordinary message.
            keyword = sms_keywords.classify(self.body, **rules)
        if keyword == sms_keywords.OPT_OUT:
            self._intellipush_opt_out()
            return sms_keywords.OPT_OUT
        if keyword == sms_keywords.OPT_IN and company.intellipush_double_optin:
            return self._intellipush_request_opt_in()
        if keyword == sms_keywords.OPT_IN:
            self._intellipush_opt_in()
            return sms_keywords.OPT_IN
        self._intellipush_post_on_partner()
        return "message"

    def _intellipush_partners_of_number(self):
        """Every contact of the message's company reachable on its number."""
        self.ensure_one()
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("phone_sanitized", "=", self.number),
                    ("company_id", "in", [False, self.company_id.id]),
                ]
            )
        )

    def _intellipush_consent_proof(self):
        return _('SMS "%(text)s" from %(number)s', text=self.body, number=self.number)

    def _intellipush_opt_out(self):
        self.ensure_one()
        blacklist = self.env["phone.blacklist"].sudo()
        already_blacklisted = bool(blacklist.search_count([("number", "=", self.number)]))
        if not already_blacklisted:
            blacklist._add([self.number], message=_("Opted out by SMS: %s", self.body))
        self._intellipush_partners_of_number()._sms_set_consent(
            "withdrawn",
            "inbound_keyword",
            proof=self._intellipush_consent_proof(),
            inbound_sms=self,
        )
        confirmation = (self.company_id.intellipush_optout_confirmation or "").strip()
        if confirmation and not already_blacklisted:
            self.env["sms.sms"].sudo().create(
                {
                    "number": self.number,
                    "partner_id": self.partner_id.id,
                    "body": confirmation,
                    "company_id": self.company_id.id,
                    "sms_purpose": "confirmation",
                }
            ).send()

    def _intellipush_opt_in(self):
        self.ensure_one()
        self.env["phone.blacklist"].sudo()._remove([self.number], message=_("Opted in by SMS: %s", self.body))
        self._intellipush_partners_of_number()._sms_set_consent(
            "granted",
            "inbound_keyword",
            proof=self._intellipush_consent_proof(),
            inbound_sms=self,
        )

    def _intellipush_post_on_partner(self):
        self.ensure_one()
        if self.partner_id:
            self.partner_id.sudo().message_post(
                body=Markup("<p>%s</p>") % self.body,
                author_id=self.partner_id.id,
                message_type="sms",
                subtype_xmlid="mail.mt_note",
            )

    @api.depends("number")
    def _compute_number_display(self):
        for message in self:
            message.number_display = display_number(message.number) if message.number else False

    # ------------------------------------------------------------
    # Replies (the two-way inbox)
    # ------------------------------------------------------------

    def action_intellipush_reply(self):
        """Answer this message by SMS, from the inbox or from the contact."""
        self.ensure_one()
        if not self.number or self.state == "unreadable":
            raise UserError(_("This message came without a sender number: there is no one to reply to."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Reply by SMS"),
            "res_model": "intellipush.inbound.reply",
            "view_mode": "form",
            "target": "new",
            "context": {"default_inbound_id": self.id},
        }

    def action_intellipush_mark_handled(self):
        """Nothing to answer, or answered another way (a phone call, at the counter)."""
        self._intellipush_set_reply_state("handled")

    def action_intellipush_reopen(self):
        self._intellipush_set_reply_state("to_reply")

    def _intellipush_set_reply_state(self, reply_state, replies=None):
        """Record who dealt with these messages. SMS users may read the inbox,
        not edit it: what they may change here is this state, through here."""
        self.check_access("read")
        handled = reply_state in ("replied", "handled")
        self.sudo().write(
            {
                "reply_state": reply_state,
                "replied_by_id": self.env.user.id if handled else False,
                "replied_at": fields.Datetime.now() if handled else False,
            }
        )
        if replies:
            replies.sudo().intellipush_reply_to_id = self[:1]


def _sender_number(message, region):
    if not message.phonenumber:
        return False
    raw = (
        f"+{message.countrycode.removeprefix('00')}{message.phonenumber}"
        if message.countrycode
        else message.phonenumber
    )
    try:
        return normalize(raw, region, mobile_only=False).e164
    except InvalidPhoneNumber:
        return raw


def _first_word(text):
    words = (text or "").split()
    return words[0].upper() if words else False
