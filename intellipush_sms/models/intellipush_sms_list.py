from odoo import api, fields, models


class IntellipushSmsList(models.Model):
    """A contact list to send SMS to, for shops without Odoo's SMS Marketing
    (which brings its own mailing lists)."""

    _name = "intellipush.sms.list"
    _description = "SMS Contact List"
    _order = "name"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    contact_ids = fields.One2many("intellipush.sms.list.contact", "list_id", string="Contacts")
    contact_count = fields.Integer("Number of Contacts", compute="_compute_contact_count")
    active = fields.Boolean(default=True)

    @api.depends("contact_ids")
    def _compute_contact_count(self):
        counts = dict(
            self.env["intellipush.sms.list.contact"]._read_group(
                [("list_id", "in", self.ids)], ["list_id"], ["__count"]
            )
        )
        for sms_list in self:
            sms_list.contact_count = counts.get(sms_list, 0)

    def action_open_contacts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "intellipush.sms.list.contact",
            "view_mode": "list",
            "domain": [("list_id", "=", self.id)],
            "context": {"default_list_id": self.id},
        }
