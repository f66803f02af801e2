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
        self._intellipush_record_customer_basis()
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
            sent = orders.with_context(intellipush_order_confirmation=True)._intellipush_post_template_sms(
                template,
                unreachable_note=lambda order: self.env._(
                    "The order confirmation was not sent by SMS: %(partner)s has no valid mobile number.",
                    partner=order.partner_id.display_name,
                ),
            )
            orders._intellipush_posted_on(sent).intellipush_confirmation_sent_at = fields.Datetime.now()

    def _intellipush_post_sms(self, body_by_id, purpose="transactional", recipients=None, **message_sms_kwargs):
        # The confirmation offers the opt-out that the existing-customer basis records as offered.
        if self.env.context.get("intellipush_order_confirmation"):
            body_by_id = {
                order.id: order.company_id._intellipush_with_customer_optout(body_by_id[order.id]) for order in self
            }
        return super()._intellipush_post_sms(body_by_id, purpose, recipients, **message_sms_kwargs)

    def _intellipush_record_customer_basis(self):
        """Markedsføringsloven § 15(3): the customer's mobile number was
        collected in this sale, whose quotation, confirmation and SMS offer
        the company's opt-out; record the existing-customer basis with it."""
        for order in self:
            if optout := order.company_id._intellipush_customer_optout_text():
                order.partner_id._sms_record_existing_customer("sale", order.name, optout)
