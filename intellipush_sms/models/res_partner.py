from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .intellipush_consent_log import CONSENT_CHANNELS, CONSENT_STATES, PENDING_CONSENT_DAYS

CONSENT_FIELDS = ("sms_consent_state", "sms_consent_channel", "sms_consent_proof", "sms_consent_proof_file")
# An inbound SMS is its own proof: the consent log links the message. Every
# other channel needs a text or a document saying how the consent was given.
CHANNELS_WITHOUT_PROOF = ("inbound_keyword",)


class ResPartner(models.Model):
    _inherit = "res.partner"

    sms_consent_state = fields.Selection(
        CONSENT_STATES,
        string="SMS Marketing Consent",
        default="none",
        required=True,
        index=True,
        tracking=True,
    )
    sms_consent_date = fields.Datetime("Consent Date", readonly=True, copy=False)
    sms_consent_channel = fields.Selection(CONSENT_CHANNELS, string="Consent Channel", copy=False)
    sms_consent_proof = fields.Text(
        "Consent Proof", copy=False, help="How the consent was given: form text, signed paper, conversation…"
    )
    sms_consent_proof_file = fields.Binary("Proof Document", attachment=True, copy=False)
    sms_consent_proof_filename = fields.Char("Proof Document Name", copy=False)
    sms_consent_log_ids = fields.One2many("intellipush.consent.log", "partner_id", string="Consent History")
    intellipush_access_grant_count = fields.Integer(
        "Access Codes",
        compute="_compute_intellipush_access_grant_count",
        groups="intellipush_sms.group_intellipush_user",
    )
    intellipush_inbound_to_reply_count = fields.Integer(
        "SMS to Answer",
        compute="_compute_intellipush_inbound_to_reply_count",
        groups="intellipush_sms.group_intellipush_user",
    )
    sms_first_name = fields.Char(
        "First Name (SMS)",
        compute="_compute_sms_first_name",
        help="How SMS templates greet the contact: the first name where one is recorded, "
        "else the first word of a person's name, or a company's whole name.",
    )

    def mail_allowed_qweb_expressions(self):
        # The greeting is a plain name: a clerk who is no template editor may
        # write "Hei {{ object.sms_first_name }}!" as Odoo lets them use the name.
        return (*super().mail_allowed_qweb_expressions(), "object.sms_first_name")

    @api.depends("name", "is_company")
    def _compute_sms_first_name(self):
        # partner_firstname (OCA) stores the first name apart.
        has_firstname = "firstname" in self._fields
        for partner in self:
            name = (partner.name or "").strip()
            if has_firstname and partner.firstname:
                partner.sms_first_name = partner.firstname
            elif partner.is_company or not name:
                partner.sms_first_name = name
            else:
                partner.sms_first_name = name.split()[0]

    def _compute_intellipush_access_grant_count(self):
        counts = self.env["intellipush.access.grant"]._active_count_by("partner_id", self)
        for partner in self:
            partner.intellipush_access_grant_count = counts.get(partner, 0)

    def action_intellipush_send_access_code(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Access Code"),
            "res_model": "intellipush.access.code.send",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def _compute_intellipush_inbound_to_reply_count(self):
        counts = dict(
            self.env["intellipush.inbound.sms"]._read_group(
                [("partner_id", "in", self.ids), ("reply_state", "=", "to_reply")], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.intellipush_inbound_to_reply_count = counts.get(partner, 0)

    def action_intellipush_view_inbound(self):
        """The SMS this contact sent, those waiting for a reply first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("intellipush_sms.intellipush_inbound_sms_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_filter_to_reply": 1 if self.intellipush_inbound_to_reply_count else 0}
        return action

    def action_intellipush_view_access_grants(self):
        self.ensure_one()
        return self.env["intellipush.access.grant"]._action_view([("partner_id", "=", self.id)])

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("sms_consent_state", "none") != "none":
                vals.setdefault("sms_consent_channel", self._sms_default_consent_channel())
                vals.setdefault("sms_consent_date", fields.Datetime.now())
                vals.setdefault(
                    "sms_consent_proof",
                    self._sms_default_consent_proof(vals["sms_consent_state"], vals["sms_consent_channel"]),
                )
        partners = super().create(vals_list)
        partners.filtered(lambda partner: partner.sms_consent_state != "none")._sms_log_consent({})
        return partners

    def write(self, vals):
        if not any(field in vals for field in CONSENT_FIELDS):
            return super().write(vals)
        if "sms_consent_state" in vals and "sms_consent_channel" not in vals:
            vals = {**vals, "sms_consent_channel": self._sms_default_consent_channel()}
        if "sms_consent_state" in vals:
            # A new consent event needs its own proof, not the previous one's.
            vals = {
                "sms_consent_proof": self._sms_default_consent_proof(
                    vals["sms_consent_state"], vals["sms_consent_channel"]
                ),
                "sms_consent_proof_file": False,
                "sms_consent_proof_filename": False,
                **vals,
                "sms_consent_date": fields.Datetime.now(),
            }
        previous = {partner.id: partner.sms_consent_state for partner in self}
        res = super().write(vals)
        changed = self.filtered(lambda partner: partner.sms_consent_state != previous[partner.id])
        changed._sms_log_consent(previous)
        return res

    @api.model
    def _sms_default_consent_channel(self):
        return "import" if self.env.context.get("import_file") else "manual"

    @api.model
    def _sms_default_consent_proof(self, state, channel):
        """The proof a consent change gets when none is given: none here; a
        bridge that records its own (the point of sale) gives it."""
        return False

    @api.constrains("sms_consent_state", "sms_consent_channel", "sms_consent_proof", "sms_consent_proof_file")
    def _check_sms_consent_proof(self):
        channel_labels = dict(self._fields["sms_consent_channel"]._description_selection(self.env))
        for partner in self:
            if (
                partner.sms_consent_state == "granted"
                and partner.sms_consent_channel not in CHANNELS_WITHOUT_PROOF
                and not (partner.sms_consent_proof or partner.sms_consent_proof_file)
            ):
                raise ValidationError(
                    _(
                        "Marketing consent given through %(channel)s needs its proof: a text or a document "
                        "(%(partner)s).",
                        channel=channel_labels.get(partner.sms_consent_channel, partner.sms_consent_channel),
                        partner=partner.name,
                    )
                )

    @api.constrains("sms_consent_state", "sms_consent_channel")
    def _check_sms_consent_pending(self):
        # Awaiting confirmation means a confirmation request went out: only a join keyword sends one.
        for partner in self:
            if partner.sms_consent_state == "pending" and partner.sms_consent_channel != "inbound_keyword":
                raise ValidationError(
                    _(
                        "Only a join keyword sent by SMS puts a contact on “Awaiting Confirmation” (%s): "
                        "record the consent with its proof instead.",
                        partner.name,
                    )
                )

    def _sms_log_consent(self, previous):
        """One log entry per partner; the SMS that caused the change, if any, comes in the context."""
        inbound_sms_id = self.env.context.get("intellipush_consent_inbound_sms_id", False)
        join_inbound_sms_id = self.env.context.get("intellipush_consent_join_sms_id", False)
        self.env["intellipush.consent.log"].sudo().with_context(intellipush_consent_entry=True).create(
            [
                {
                    "partner_id": partner.id,
                    "channel": partner.sms_consent_channel or "manual",
                    "previous_state": previous.get(partner.id, "none"),
                    "new_state": partner.sms_consent_state,
                    "proof": partner.sms_consent_proof,
                    "proof_file": partner.sms_consent_proof_file,
                    "proof_filename": partner.sms_consent_proof_filename,
                    "inbound_sms_id": inbound_sms_id,
                    "join_inbound_sms_id": join_inbound_sms_id,
                }
                for partner in self
            ]
        )

    def _sms_set_consent(self, state, channel, proof=None, inbound_sms=None, join_sms=None):
        """Change the consent of these partners (those whose state changes), with one log entry each.

        ``inbound_sms`` is the SMS that made the change; ``join_sms``, for a
        confirmed double opt-in, the join keyword it confirms."""
        changing = self.filtered(lambda partner: partner.sms_consent_state != state)
        changing.with_context(
            intellipush_consent_inbound_sms_id=inbound_sms.id if inbound_sms else False,
            intellipush_consent_join_sms_id=join_sms.id if join_sms else False,
        ).write({"sms_consent_state": state, "sms_consent_channel": channel, "sms_consent_proof": proof})
        return changing

    # ------------------------------------------------------------
    # Double opt-in: consent awaiting its confirmation
    # ------------------------------------------------------------

    def _sms_pending_deadline(self):
        """Until when this contact's pending consent may be confirmed."""
        self.ensure_one()
        return self.sms_consent_date + timedelta(days=PENDING_CONSENT_DAYS)

    def _sms_pending_entry(self):
        """The log entry that made this contact's consent pending: its join SMS and the state before it."""
        self.ensure_one()
        return self.sms_consent_log_ids.filtered(lambda log: log.new_state == "pending").sorted("id")[-1:]

    @api.model
    def _sms_lapse_expired_pending(self):
        """Pending consents whose confirmation window has passed, back to what they were (cron)."""
        cutoff = fields.Datetime.now() - timedelta(days=PENDING_CONSENT_DAYS)
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("sms_consent_state", "=", "pending"), ("sms_consent_date", "<", cutoff)])
            ._sms_lapse_pending()
        )

    def _sms_lapse_pending(self):
        """Those of these contacts whose pending consent has expired go back to
        the state they had before the join (no consent, or withdrawn: a lapsed
        request does not undo an earlier withdrawal). Returns them."""
        now = fields.Datetime.now()
        lapsed = self.filtered(
            lambda partner: partner.sms_consent_state == "pending" and partner._sms_pending_deadline() < now
        )
        proof = _("Not confirmed within %s days: the request to join lapsed.", PENDING_CONSENT_DAYS)
        by_previous = lapsed.grouped(lambda partner: partner._sms_pending_entry().previous_state or "none")
        for previous_state, partners in by_previous.items():
            partners._sms_set_consent(previous_state, "inbound_keyword", proof=proof)
        return lapsed
