from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The receipt prints the opt-out offered with the existing-customer basis (§ 15(3)).
        return [*super()._load_pos_data_fields(config_id), "intellipush_customer_basis", "intellipush_customer_optout"]
