from ast import literal_eval

from odoo import api, fields, models


class IntellipushSmsSegment(models.Model):
    """A named selection of contacts (a domain on partners), kept current:
    usable as recipients of SMS sends and campaigns."""

    _name = "intellipush.sms.segment"
    _description = "SMS Segment"
    _order = "name"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    domain = fields.Char(default="[]", required=True, help="Which contacts belong to the segment, evaluated when used.")
    partner_count = fields.Integer("Contacts", compute="_compute_partner_count")
    active = fields.Boolean(default=True)

    @api.depends("domain")
    def _compute_partner_count(self):
        for segment in self:
            segment.partner_count = self.env["res.partner"].search_count(segment._partner_domain())

    def write(self, vals):
        res = super().write(vals)
        if "domain" in vals:
            # The unsent mailings to these segments estimate and go to their new contacts.
            self.env["mailing.mailing"].sudo().search(
                [("intellipush_segment_id", "in", self.ids), ("state", "in", ("draft", "in_queue"))]
            )._intellipush_follow_segments()
        return res

    def _partner_domain(self):
        self.ensure_one()
        return literal_eval(self.domain or "[]")

    def _partners(self):
        partners = self.env["res.partner"]
        for segment in self:
            partners |= partners.search(segment._partner_domain())
        return partners

    def action_open_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": self._partner_domain(),
        }
