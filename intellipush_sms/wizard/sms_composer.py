from odoo import api, fields, models

from ..models.sms_sms import SMS_PURPOSES


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    sms_purpose = fields.Selection(
        [(value, label) for value, label in SMS_PURPOSES if value in ("transactional", "marketing")],
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
            composer.intellipush_cost_summary = self.env["sms.sms"]._intellipush_estimate(
                composer._intellipush_recipients(), body, composer.sms_purpose, self.env.company
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
        return [
            (info["sanitized"] or info["number"], info["partner"])
            for info in records._sms_get_recipients_info(force_field=self.number_field_name).values()
            if info["sanitized"] or info["number"]
        ]

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def action_send_sms(self):
        if not self.env.company._intellipush_active():
            return super().action_send_sms()
        last_sms = self.env["sms.sms"].sudo().search([], order="id DESC", limit=1)
        # Chatter sends post record by record: credits and the dispatch are
        # dealt with once for all the SMS this send created.
        composer = self.with_context(intellipush_sms_purpose=self.sms_purpose, intellipush_queue_later=True)
        super(SmsComposer, composer).action_send_sms()
        created = self._intellipush_created_sms(after_id=last_sms.id or 0)
        created._intellipush_queue()
        return created._intellipush_result_action() if created else False

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
            if verdict and verdict[0] == "sms_optout"
        }
        return list(set(optout_ids) | refused)

    def _intellipush_created_sms(self, after_id):
        """The SMS this send created: newer than ``after_id``, created by this
        user in this transaction (their ``create_date`` is its timestamp)."""
        return (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("id", ">", after_id),
                    ("create_uid", "=", self.env.uid),
                    ("create_date", "=", self.env.cr.now()),
                ]
            )
        )
