from odoo import _, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    intellipush_sms_optout = fields.Boolean(
        "No SMS Confirmation",
        copy=False,
        help="Do not send the automatic order confirmation by SMS for this order.",
    )
    intellipush_confirmation_sent_at = fields.Datetime(
        "SMS Confirmation Sent",
        readonly=True,
        copy=False,
        help="When the order confirmation went out by SMS. It goes once per order, also if the order "
        "is confirmed again after a cancellation; use Resend to send it again.",
    )

    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(
            lambda order: (
                order.company_id.intellipush_order_sms
                and order.company_id._intellipush_active()
                and not order.intellipush_sms_optout
                and not order.intellipush_confirmation_sent_at
            )
        )._intellipush_send_confirmation()
        return res

    def action_intellipush_resend_confirmation(self):
        """Send the confirmation SMS again, on the user's explicit request."""
        if any(order.state != "sale" for order in self):
            raise UserError(_("Only confirmed orders have a confirmation to send."))
        self._intellipush_send_confirmation()
        return True

    def _intellipush_send_confirmation(self):
        """Post the confirmation SMS on each order's chatter (transactional).

        Orders whose customer has no valid mobile number get a note instead,
        so the seller sees why nothing went.
        """
        for company, orders in self.grouped("company_id").items():
            template = company.intellipush_order_sms_template_id or self.env.ref(
                "intellipush_sms.sms_template_sale_order_confirmation", raise_if_not_found=False
            )
            if not template:
                continue
            sent = orders._intellipush_post_template_sms(
                template,
                unreachable_note=lambda order: self.env._(
                    "The order confirmation was not sent by SMS: %(partner)s has no valid mobile number.",
                    partner=order.partner_id.display_name,
                ),
            )
            orders._intellipush_posted_on(sent).intellipush_confirmation_sent_at = fields.Datetime.now()
