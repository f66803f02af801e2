from odoo import api, models


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model
    def _load_pos_data_models(self, config_id):
        # The quick SMS templates of the shop, by name: the texts are rendered
        # for the customer on the server.
        return [*super()._load_pos_data_models(config_id), "sms.template"]
