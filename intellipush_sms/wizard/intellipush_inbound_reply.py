from odoo import _, api, fields, models
from odoo.exceptions import UserError


class IntellipushInboundReply(models.TransientModel):
    """A reply by SMS to a received SMS. With a contact, it is posted on the
    contact's chatter beside the customer's message, so the conversation with
    that number reads in one place."""

    _name = "intellipush.inbound.reply"
    _description = "Reply to a Received SMS"

    inbound_id = fields.Many2one("intellipush.inbound.sms", "Received SMS", required=True, readonly=True)
    number = fields.Char(related="inbound_id.number", string="To (E.164)")
    number_display = fields.Char(related="inbound_id.number_display", string="To")
    partner_id = fields.Many2one(related="inbound_id.partner_id", string="Contact")
    received_body = fields.Text(related="inbound_id.body", string="They wrote")
    body = fields.Text("Reply", required=True)
    intellipush_cost_summary = fields.Char("Estimated Cost", compute="_compute_intellipush_cost_summary")

    @api.depends("body", "inbound_id")
    def _compute_intellipush_cost_summary(self):
        for wizard in self:
            inbound = wizard.inbound_id.sudo()
            wizard.intellipush_cost_summary = (
                self.env["sms.sms"]._intellipush_estimate(
                    [(inbound.number, inbound.partner_id)], wizard.body or "", "transactional", inbound.company_id
                )
                if inbound.number
                else False
            )

    def action_send(self):
        self.ensure_one()
        if not (self.body or "").strip():
            raise UserError(_("Write a reply first: an empty SMS is not sent."))
        inbound = self.inbound_id
        inbound.check_access("read")
        inbound_sudo = inbound.sudo()
        partner = inbound_sudo.partner_id
        body = self.body.strip()
        if partner:
            # Posted by the server in the user's name: a clerk may answer a
            # customer whose contact they cannot edit.
            sms = partner._intellipush_post_sms(
                {partner.id: body},
                recipients={partner.id: {"partner": partner, "sanitized": inbound_sudo.number}},
                author_id=self.env.user.partner_id.id,
            )
        else:
            sms = (
                self.env["sms.sms"]
                .sudo()
                .create(
                    {
                        "number": inbound_sudo.number,
                        "body": body,
                        "company_id": inbound_sudo.company_id.id,
                        "sms_purpose": "transactional",
                    }
                )
                ._intellipush_queue()
            )
        inbound._intellipush_set_reply_state("replied", replies=sms)
        return sms._intellipush_result_action()
