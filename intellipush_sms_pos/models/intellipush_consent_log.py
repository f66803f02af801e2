from odoo import api, fields, models


class IntellipushConsentLog(models.Model):
    _inherit = "intellipush.consent.log"

    pos_config_id = fields.Many2one("pos.config", "Shop", readonly=True, index="btree_not_null", ondelete="restrict")
    pos_employee_name = fields.Char(
        "Employee", readonly=True, help="Who worked the register, as named when the consent was recorded."
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Consent recorded at the point of sale names its shop and employee,
        which the POS passes in the context (the contact's proof, copied here,
        says so too: see res.partner._sms_default_consent_proof)."""
        config = self.env["pos.config"]._intellipush_from_context()
        if config:
            cashier = config._intellipush_cashier_name(self.env.context.get("intellipush_pos_employee_id"))
            for vals in vals_list:
                if vals.get("channel") == "pos":
                    vals.update(pos_config_id=config.id, pos_employee_name=cashier)
        return super().create(vals_list)
