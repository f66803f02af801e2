from odoo import api, fields, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    # New shops start with the Norwegian receipt text.
    sms_receipt_template_id = fields.Many2one(
        default=lambda self: self.env.ref("intellipush_sms_pos.sms_template_pos_receipt", raise_if_not_found=False)
    )
    intellipush_auto_receipt_sms = fields.Boolean(
        "Receipt by SMS After Every Payment",
        help="Customers with a valid mobile number get the receipt by SMS as soon as the order is paid, "
        "without the cashier asking. The receipt goes once per order.",
    )
    intellipush_quick_template_ids = fields.Many2many(
        "sms.template",
        "pos_config_intellipush_quick_template_rel",
        "config_id",
        "template_id",
        string="Quick SMS Templates",
        domain=[("model", "=", "res.partner")],
        help="Messages the cashier sends to the selected customer from the register, "
        'e.g. "your order is ready for pickup".',
    )

    def _intellipush_receipt_template(self):
        """The template of this shop's receipts: Odoo's SMS receipt template, else ours."""
        self.ensure_one()
        return self.sms_receipt_template_id or self.env.ref(
            "intellipush_sms_pos.sms_template_pos_receipt", raise_if_not_found=False
        )

    def _intellipush_cashier_name(self, employee_id=False):
        """Who works the register: the logged-in POS employee where the shop
        logs employees in (``pos_hr``) and the employee may use it, else the user."""
        self.ensure_one()
        if employee_id and self.module_pos_hr and "hr.employee" in self.env:
            domain = self._employee_domain(self.env.uid) if hasattr(self, "_employee_domain") else []
            employee_sudo = self.env["hr.employee"].sudo().search([*domain, ("id", "=", int(employee_id))], limit=1)
            if employee_sudo:
                return employee_sudo.name
        return self.env.user.name

    def _intellipush_consent_proof(self, cashier_name, state):
        """What the consent log says of a consent given or withdrawn at this shop's counter."""
        self.ensure_one()
        if state == "withdrawn":
            return self.env._(
                "Withdrawn at the counter of %(shop)s, recorded by %(cashier)s.", shop=self.name, cashier=cashier_name
            )
        return self.env._(
            "Given at the counter of %(shop)s, recorded by %(cashier)s.", shop=self.name, cashier=cashier_name
        )

    @api.model
    def _intellipush_from_context(self):
        """The shop a consent change comes from, as the POS puts it in the
        context (``intellipush_pos_config_id``), if the user may use it."""
        config_id = self.env.context.get("intellipush_pos_config_id")
        if not isinstance(config_id, int):
            return self.browse()
        config = self.sudo(False).browse(config_id).exists()
        config.check_access("read")
        return config
