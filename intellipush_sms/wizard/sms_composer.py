from odoo import api, fields, models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    intellipush_cost_summary = fields.Char("Estimated Cost", compute="_compute_intellipush_cost_summary")

    @api.depends(
        "body",
        "res_model",
        "res_id",
        "res_ids",
        "composition_mode",
        "number_field_name",
        "sanitized_numbers",
        "recipient_single_number_itf",
    )
    def _compute_intellipush_cost_summary(self):
        wallet_model = self.env["intellipush.credit.wallet"]
        for composer in self:
            composer.intellipush_cost_summary = wallet_model._cost_summary(
                composer._intellipush_recipient_numbers(), composer.body or ""
            )

    def _intellipush_recipient_numbers(self):
        """The numbers this composer would send to, before rendering anything."""
        self.ensure_one()
        if self.sanitized_numbers:
            return self.sanitized_numbers.split(",")
        if self.comment_single_recipient:
            number = self.recipient_single_number_itf or self.recipient_single_number
            return [number] if number else []
        records = self._get_records() if self.res_model else None
        if not records:
            return []
        recipients = records._sms_get_recipients_info(force_field=self.number_field_name)
        return [
            info["sanitized"] or info["number"] for info in recipients.values() if info["sanitized"] or info["number"]
        ]
