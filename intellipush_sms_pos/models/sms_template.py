from odoo import api, models


class SmsTemplate(models.Model):
    _name = "sms.template"
    _inherit = ["sms.template", "pos.load.mixin"]

    @api.model
    def _load_pos_data_domain(self, data):
        config = self.env["pos.config"].browse(data["pos.config"]["data"][0]["id"])
        return [("id", "in", config.intellipush_quick_template_ids.ids)]

    @api.model
    def _load_pos_data_fields(self, config_id):
        return ["id", "name"]
