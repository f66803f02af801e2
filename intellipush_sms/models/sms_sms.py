"""The Intellipush gateway: every outgoing ``sms.sms`` of a company whose SMS
provider is Intellipush goes through it instead of Odoo's IAP. Odoo IAP
companies keep Odoo's behaviour.

Life of a message, one room per stage (docs/ARCHITECTURE.md draws it)::

    policy    sms_sms_policy.py     consent and blacklist, opt-out footer; refused -> canceled
    price     intellipush_credit_rate.py  segments x destination rate
    reserve   sms_sms_reserve.py    credits set aside in the wallet when queued
    claim, dispatch  sms_sms_dispatch.py
        outgoing --claim (row lock, intent committed)--> process --accepted--> pending (Sent)
           ^                                               |
           |  retryable error, with back-off               +--refused--> error (reason)
           +-----------------------------------------------+
    reconcile sms_sms_reconcile.py  unknown outcome: found -> pending, absent -> outgoing,
                                    unreadable for long -> uncertain (a person decides)
    settle    sms_sms_settle.py     the one state transition: state, trackers, credits
    status    sms_sms_status.py     sms/status polling: sent (Delivered) / error / canceled

A message is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and its intent
(``process`` + dispatch token) is committed before the provider call, so two
workers never send the same row; nothing is sent twice, nothing is lost.
This file holds the fields and Odoo's entry points (create, write, send).
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.phone_display import display_number
from ..tools.sms_encoding import analyze

_logger = logging.getLogger(__name__)

SMS_PURPOSES = [
    ("transactional", "Transactional"),
    ("marketing", "Marketing"),
    ("access_code", "Access Code"),
    ("confirmation", "Opt-out Confirmation"),
]
# The purposes a person chooses when writing an SMS; the others are the system's.
CHOSEN_PURPOSES = [(value, label) for value, label in SMS_PURPOSES if value in ("transactional", "marketing")]
# An SMS in these states has not (surely) left yet: a one-time code in its text
# is still needed. In any other state the text is masked (intellipush_redacted_body).
UNSENT_STATES = ("outgoing", "process", "uncertain")
BODY_PREVIEW = 120
# Queued again by a person: a fresh start, as if new.
FRESH_ATTEMPTS = {"intellipush_attempts": 0, "intellipush_next_attempt_at": False, "intellipush_dispatch_token": False}


class SmsSms(models.Model):
    _name = "sms.sms"
    _inherit = ["sms.sms", "intellipush.batch.create.mixin"]
    _intellipush_fresh_defaults = ("uuid",)

    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        readonly=True,
    )
    failure_type = fields.Selection(
        selection_add=[
            ("sms_not_delivered", "Not Delivered"),
            ("sms_invalid_message", "Message Refused"),
            ("sms_frequency_cap", "Frequency Cap Reached"),
        ]
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    sms_encoding = fields.Selection(
        [("GSM-7", "GSM-7"), ("UCS-2", "UCS-2 (Unicode)")],
        string="Encoding",
        compute="_compute_sms_encoding",
        store=True,
        precompute=True,
    )
    # Precomputed: written by the INSERT itself, not by an UPDATE after it.
    sms_segments = fields.Integer("Segments", compute="_compute_sms_encoding", store=True, precompute=True)
    sms_length = fields.Integer("Characters", compute="_compute_sms_encoding", store=True, precompute=True)
    number_e164 = fields.Char("Normalised Number", readonly=True, copy=False)
    intellipush_id = fields.Char("Intellipush ID", readonly=True, copy=False, index="btree_not_null")
    intellipush_credits = fields.Float("Provider Credits", digits=(16, 4), readonly=True, copy=False)
    intellipush_dispatch_token = fields.Char(readonly=True, copy=False, index="btree_not_null")
    intellipush_dispatched_at = fields.Datetime("Handed Over At", readonly=True, copy=False)
    intellipush_attempts = fields.Integer("Attempts", readonly=True, copy=False)
    intellipush_next_attempt_at = fields.Datetime("Next Attempt", readonly=True, copy=False)
    intellipush_send_at = fields.Datetime(
        "Scheduled For",
        readonly=True,
        copy=False,
        help="Intellipush holds this SMS and sends it at this time; until then it can be withdrawn there.",
    )
    intellipush_status_checks = fields.Integer(readonly=True, copy=False)
    intellipush_next_status_check_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    credit_cost = fields.Float(
        "Credits",
        digits=(16, 4),
        readonly=True,
        copy=False,
        help="What this SMS costs from the prepaid wallet: its segments divided by the SMS per credit "
        "of its destination.",
    )
    credit_state = fields.Selection(
        [
            ("none", "Free"),
            ("waiting", "Waiting for Credits"),
            ("reserved", "Reserved"),
            ("debited", "Debited"),
            ("released", "Released"),
            ("refunded", "Refunded"),
        ],
        string="Credit Status",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    destination_country_id = fields.Many2one("res.country", string="Destination", readonly=True, copy=False)
    sms_purpose = fields.Selection(
        SMS_PURPOSES,
        string="Purpose",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.context.get("intellipush_sms_purpose", "transactional"),
        help="Marketing SMS go only to contacts who gave their consent and carry the opt-out instruction; "
        "nothing but access codes and opt-out confirmations reaches a blacklisted number.",
    )
    intellipush_send_run_id = fields.Many2one(
        "intellipush.sms.send.run", "Sent By", readonly=True, copy=False, index="btree_not_null", ondelete="set null"
    )
    intellipush_skip_reason = fields.Selection(
        [
            ("blacklisted", "Blacklisted"),
            ("withdrawn", "Consent withdrawn"),
            ("no_consent", "No marketing consent"),
            ("pending", "Opt-in not confirmed"),
            ("frequency_cap", "Frequency cap reached"),
        ],
        string="Skipped Because",
        readonly=True,
        copy=False,
        help="Why the consent and blacklist rules, or the marketing frequency cap, did not let this SMS go.",
    )
    intellipush_number_display = fields.Char("Mobile Number", compute="_compute_intellipush_display")
    intellipush_body_preview = fields.Char("Message", compute="_compute_intellipush_display")
    intellipush_reply_to_id = fields.Many2one(
        "intellipush.inbound.sms",
        "Reply To",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The received SMS this one answers.",
    )
    sent_at = fields.Datetime(readonly=True, copy=False)
    delivered_at = fields.Datetime(readonly=True, copy=False)
    intellipush_redacted_body = fields.Text(
        "Masked Text",
        readonly=True,
        copy=False,
        help="For an SMS that carries a one-time code: its text with the code masked, which replaces the "
        "text once the SMS is sent, has failed or is cancelled. The code is stored only while the SMS waits.",
    )

    _sql_constraints = [
        (
            "intellipush_id_company_unique",
            "unique(company_id, intellipush_id)",
            "An Intellipush message id belongs to one SMS only.",
        ),
    ]

    def init(self):
        # The dispatch takes the queue's oldest rows again and again: with
        # only the queued rows in the index, each claim reads its batch and
        # not the whole table of sent messages.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS sms_sms_intellipush_queue_index
                ON sms_sms (id)
             WHERE state = 'outgoing' AND to_delete IS NOT TRUE
            """
        )

    @api.depends("body")
    def _compute_sms_encoding(self):
        encodings = self._intellipush_encoding_values(self.mapped("body"))
        for sms in self:
            sms.update(encodings[sms.body or ""])

    @api.model
    def _intellipush_encoding_values(self, bodies):
        """The encoding fields of each text, ``{text: values}``: one analysis
        per distinct text, so a batch to many numbers shares one."""
        encodings = {}
        for body in {body or "" for body in bodies}:
            analysis = analyze(body)
            encodings[body] = {
                "sms_encoding": analysis.encoding,
                "sms_segments": analysis.segments,
                "sms_length": analysis.characters,
            }
        return encodings

    @api.depends("number", "number_e164", "body")
    def _compute_intellipush_display(self):
        for sms in self:
            sms.intellipush_number_display = display_number(sms.number_e164 or sms.number or "") or sms.number
            # A list row shows the start of a long text, not a screen of it.
            body = " ".join((sms.body or "").split())
            sms.intellipush_body_preview = body if len(body) <= BODY_PREVIEW else body[: BODY_PREVIEW - 1] + "…"

    # ------------------------------------------------------------
    # Entry points used by Odoo's SMS machinery
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Stage policy at creation; pricing and reservation when queued (sms_sms_reserve.py).
        return super().create(self._intellipush_prepare_vals(vals_list))

    def _add_precomputed_values(self, vals_list):
        # The encoding fields from one analysis per distinct text, as their
        # compute does: Odoo would make a new record per SMS to compute them.
        encodings = self._intellipush_encoding_values(vals.get("body") for vals in vals_list)
        for vals in vals_list:
            vals.update(encodings[vals.get("body") or ""])
        super()._add_precomputed_values(vals_list)

    def write(self, vals):
        if vals.get("state") == "outgoing" and self._intellipush_masked():
            raise UserError(
                _("An SMS whose one-time code is masked cannot be sent again: send a new code from its access code.")
            )
        res = super().write(vals)
        # Whoever moves an SMS out of the queue (our transition, or Odoo's IAP
        # writing its states directly), a one-time code in it is masked.
        if vals.get("state") and vals["state"] not in UNSENT_STATES:
            self._intellipush_mask_secrets()
        return res

    def _intellipush_result_action(self):
        """A notification telling the sender what became of these new SMS:
        how many were queued and what they cost, how many were skipped and why."""
        queued = self.filtered(lambda sms: sms.state in ("outgoing", "process", "pending", "sent"))
        skipped = {}
        for sms in self - queued:
            key = sms.intellipush_skip_reason or sms.failure_type
            skipped[key] = skipped.get(key, 0) + 1
        labels = self._intellipush_failure_labels()
        lines = [
            _(
                "%(count)s SMS queued, about %(cost)s credits.",
                count=len(queued),
                cost=self.env["intellipush.credit.wallet"]._format_credits(sum(queued.mapped("credit_cost"))),
            )
        ]
        lines += [
            self.env._("%(count)s skipped: %(reason)s", count=count, reason=labels.get(failure) or failure)
            for failure, count in sorted(skipped.items(), key=lambda item: -item[1])
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS sent") if not skipped else _("SMS sent, some recipients skipped"),
                "message": "\n".join(lines),
                "type": "warning" if skipped else "success",
                "sticky": bool(skipped),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _intellipush_split(self):
        """Split into (Intellipush messages, the others) by their company's provider."""
        intellipush = self.filtered(lambda sms: (sms.company_id or self.env.company)._intellipush_active())
        return intellipush, self - intellipush

    def send(self, unlink_failed=False, unlink_sent=True, auto_commit=False, raise_exception=False):
        """Queue Intellipush messages for the dispatch cron; others go to IAP.

        Odoo calls ``send`` inside the user's transaction (chatter, composer).
        Calling the provider there would tie a remote, irreversible send to a
        transaction that may still roll back; the cron, triggered to run right
        after this commit, sends with its own committed intent instead.
        """
        intellipush, others = self._intellipush_split()
        intellipush._intellipush_queue()
        return super(SmsSms, others).send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )

    def _split_by_api(self):
        """Newer 18.0 releases route ``send`` and the queue by provider through
        this generator of ``(api, sms)``; Odoo's IAP and Twilio get theirs from
        ``super()``. Intellipush SMS are never handed to an API here: the
        dispatch cron sends them (see ``send``). Earlier 18.0 builds have no
        such hook and never call it."""
        intellipush, others = self._intellipush_split()
        intellipush._intellipush_queue()
        parent = getattr(super(SmsSms, others), "_split_by_api", None)
        if parent and others:
            yield from parent()

    def resend_failed(self):
        intellipush, others = self._intellipush_split()
        intellipush = intellipush.filtered(lambda sms: sms.state == "error" and not sms.to_delete)
        if not intellipush:
            return super(SmsSms, others).resend_failed()
        intellipush.action_set_outgoing()
        super(SmsSms, others).resend_failed()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Queued again"),
                "message": _("%(count)s SMS are back in the queue and will be sent shortly.", count=len(intellipush)),
                "type": "success",
            },
        }

    def action_set_outgoing(self):
        intellipush, others = self._intellipush_split()
        res = super(SmsSms, others).action_set_outgoing()
        intellipush._intellipush_set_state(
            "outgoing",
            reason=False,
            values=FRESH_ATTEMPTS,
        )
        intellipush._intellipush_recheck_policy()
        intellipush._intellipush_queue()
        return res

    def action_set_canceled(self):
        intellipush, others = self._intellipush_split()
        res = super(SmsSms, others).action_set_canceled()
        # What left for Intellipush is withdrawn there (action_intellipush_withdraw), not cancelled here.
        intellipush.filtered(lambda sms: sms.state in ("outgoing", "error", "uncertain"))._intellipush_set_state(
            "canceled"
        )
        return res
