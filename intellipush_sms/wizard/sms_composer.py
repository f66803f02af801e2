from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.sms_sms import CHOSEN_PURPOSES


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    sms_purpose = fields.Selection(
        CHOSEN_PURPOSES,
        string="Purpose",
        compute="_compute_sms_purpose",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        help="Marketing goes only to contacts who gave their consent and ends with your opt-out instruction. "
        "Transactional (orders, invoices, appointments) goes to every contact not on the blacklist.",
    )
    intellipush_cost_summary = fields.Char("Estimated Cost", compute="_compute_intellipush_cost_summary")
    intellipush_optout_footer = fields.Char("Opt-out Instruction", compute="_compute_intellipush_cost_summary")
    intellipush_cost_warning = fields.Char("Cost to Confirm", compute="_compute_intellipush_cost_summary")
    intellipush_cost_confirmed = fields.Boolean("Send Anyway")
    intellipush_quiet_notice = fields.Char("Quiet Hours", compute="_compute_intellipush_quiet_notice")
    # Not required in the form: the client would refuse an empty text with its
    # own untranslated "Invalid fields"; sending says it in the user's words.
    body = fields.Text(required=False)

    @api.depends("template_id")
    def _compute_sms_purpose(self):
        default = self.env.context.get("intellipush_sms_purpose", "transactional")
        for composer in self:
            composer.sms_purpose = composer.template_id.sms_purpose or composer.sms_purpose or default

    @api.depends(
        "body",
        "sms_purpose",
        "res_model",
        "res_id",
        "res_ids",
        "composition_mode",
        "number_field_name",
        "sanitized_numbers",
        "recipient_single_number_itf",
    )
    def _compute_intellipush_cost_summary(self):
        for composer in self:
            body = composer.body or ""
            # Shown under the text: what queuing will append to a marketing SMS.
            sent_body = (
                self.env.company._intellipush_with_optout_footer(body) if composer.sms_purpose == "marketing" else body
            )
            composer.intellipush_optout_footer = sent_body[len(body.rstrip()) :].strip() or False
            # The consent and blacklist verdicts once, for the estimate and the cost check.
            reachable = self.env["sms.sms"]._intellipush_reachable(
                composer._intellipush_recipients(), body, composer.sms_purpose, self.env.company
            )
            composer.intellipush_cost_summary = self.env["sms.sms"]._intellipush_describe_reachable(
                reachable, self.env.company
            )
            composer.intellipush_cost_warning = self.env["intellipush.credit.rate"]._cost_warning(
                self.env.company, reachable.numbers, reachable.body if body.strip() else ""
            )

    @api.depends("sms_purpose")
    def _compute_intellipush_quiet_notice(self):
        for composer in self:
            composer.intellipush_quiet_notice = (
                composer.sms_purpose == "marketing" and self.env.company._intellipush_quiet_notice()
            )

    def _intellipush_recipients(self):
        """``[(number, partner)]`` this composer would send to, before rendering anything."""
        self.ensure_one()
        partner_model = self.env["res.partner"]
        if self.sanitized_numbers:
            return [(number, partner_model) for number in self.sanitized_numbers.split(",")]
        records = self._get_records() if self.res_model else None
        if self.comment_single_recipient:
            number = self.recipient_single_number_itf or self.recipient_single_number
            partner = (
                records._sms_get_recipients_info(force_field=self.number_field_name)[records.id]["partner"]
                if records and len(records) == 1
                else partner_model
            )
            return [(number, partner)] if number else []
        if not records:
            return []
        # Those without any number too: the estimate accounts for every recipient.
        return [
            (info["sanitized"] or info["number"], info["partner"])
            for info in records._sms_get_recipients_info(force_field=self.number_field_name).values()
        ]

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def action_send_sms(self):
        if not (self.body or "").strip():
            raise UserError(_("Write the message first: an empty SMS is not sent."))
        if not self.env.company._intellipush_active():
            return super().action_send_sms()
        self._intellipush_check_recipients()
        if self.intellipush_cost_warning and not self.intellipush_cost_confirmed:
            raise UserError(
                _("Check the cost before sending: %s Tick “Send Anyway” to send it.", self.intellipush_cost_warning)
            )
        sms = self._action_send_sms()
        return sms._intellipush_result_action() if sms else False

    def _intellipush_check_recipients(self):
        """Odoo's checks before sending, as ``action_send_sms`` makes them."""
        if self.composition_mode in ("numbers", "comment"):
            if self.comment_single_recipient and not self.recipient_single_valid:
                raise UserError(_("Invalid recipient number. Please update it."))
            if not self.comment_single_recipient and self.recipient_invalid_count:
                raise UserError(_("%s invalid recipients", self.recipient_invalid_count))

    def _action_send_sms(self):
        # Mailings call this directly, not action_send_sms. Through Intellipush,
        # each way of sending returns the sms.sms it queued.
        return super(SmsComposer, self.with_context(intellipush_sms_purpose=self.sms_purpose))._action_send_sms()

    def _action_send_sms_numbers(self):
        if not self.env.company._intellipush_active():
            return super()._action_send_sms_numbers()
        numbers = (
            self.sanitized_numbers.split(",")
            if self.sanitized_numbers
            else [self.recipient_single_number_itf or self.recipient_single_number or ""]
        )
        sms = self.env["sms.sms"].sudo().create([{"body": self.body, "number": number} for number in numbers])
        return sms._intellipush_queue()

    def _action_send_sms_comment(self, records=None):
        if not self.env.company._intellipush_active():
            return super()._action_send_sms_comment(records=records)
        records = records if records is not None else self._get_records()
        sms = records._intellipush_post_sms(
            self._prepare_body_values(records),
            purpose=self.sms_purpose,
            subtype_id=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            number_field=self.number_field_name,
            sms_numbers=self.sanitized_numbers.split(",") if self.sanitized_numbers else None,
        )
        if records._name == "res.partner" and self.sms_purpose == "transactional":
            # Written to a contact by a person: it answers what the contact sent.
            waiting = self.env["intellipush.inbound.sms"].search(
                [("partner_id", "in", records.ids), ("reply_state", "=", "to_reply")]
            )
            sms_by_partner = sms.grouped("partner_id")
            for partner, messages in waiting.grouped("partner_id").items():
                messages._intellipush_set_reply_state("replied", replies=sms_by_partner.get(partner))
        return sms

    def _action_send_sms_mass(self, records=None):
        sms = super()._action_send_sms_mass(records=records)
        if self.env.company._intellipush_active():
            # After Odoo's SMS Marketing rewrote each text's links: priced once, as sent.
            sms._intellipush_queue()
        return sms

    def _get_optout_record_ids(self, records, recipients_info):
        """Marketing in mass mode: those the consent rules refuse are skipped
        as opted out, like Odoo's SMS Marketing does for its own lists (so its
        traces say so too)."""
        optout_ids = super()._get_optout_record_ids(records, recipients_info)
        if self.sms_purpose != "marketing" or not self.env.company._intellipush_active():
            return optout_ids
        record_ids = list(recipients_info)
        verdicts = self.env["sms.sms"]._intellipush_policy_verdicts(
            [
                (info["sanitized"] or info["number"], info["partner"], "marketing", self.env.company)
                for info in recipients_info.values()
            ]
        )
        refused = {
            record_id
            for record_id, verdict in zip(record_ids, verdicts, strict=True)
            if verdict and verdict.failure_type == "sms_optout"
        }
        return list(set(optout_ids) | refused)
