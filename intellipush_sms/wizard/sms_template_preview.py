from odoo import api, fields, models


class SmsTemplatePreview(models.TransientModel):
    _inherit = "sms.template.preview"

    intellipush_cost_summary = fields.Char("Estimated Cost", compute="_compute_intellipush_cost_summary")

    @api.depends("body", "resource_ref")
    def _compute_intellipush_cost_summary(self):
        rate_model = self.env["intellipush.credit.rate"]
        for preview in self:
            record = preview.resource_ref
            numbers = []
            if record and hasattr(record, "_sms_get_recipients_info"):
                info = record._sms_get_recipients_info()[record.id]
                numbers = [info["sanitized"] or info["number"]] if info["sanitized"] or info["number"] else []
            preview.intellipush_cost_summary = rate_model._cost_summary(numbers, preview.body or "")
