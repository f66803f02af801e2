from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    intellipush_sms_sent = fields.Boolean(
        "Shipping SMS Sent",
        readonly=True,
        copy=False,
        help="The customer got the packed or shipped SMS of this transfer (it goes once).",
    )

    def _action_done(self):
        res = super()._action_done()
        self._intellipush_send_shipping_sms()
        return res

    def sms_tracking_link(self):
        """The carrier's tracking page as a short link, or an empty string.

        For SMS templates. The tracking URL comes from ``stock_delivery`` when
        it is installed and the carrier knows one.
        """
        self.ensure_one()
        url = self["carrier_tracking_url"] if "carrier_tracking_url" in self._fields else False
        if not url:
            return ""
        tracker = self.env["link.tracker"].sudo().search_or_create([{"url": url, "title": self.name}])
        return tracker.short_url

    def _intellipush_shipping_step(self):
        """'shipped' for a delivery to the customer, 'packed' for the step
        before it in a multi-step delivery, else False."""
        self.ensure_one()
        if not self.sale_id or self.state != "done":
            return False
        if self.picking_type_code == "outgoing":
            return "shipped"
        # The step right before shipping: packing in three steps, picking in two.
        warehouse = self.picking_type_id.warehouse_id
        step_before_shipping = {
            "pick_pack_ship": warehouse.pack_type_id,
            "pick_ship": warehouse.pick_type_id,
        }.get(warehouse.delivery_steps)
        if step_before_shipping and self.picking_type_id == step_before_shipping:
            return "packed"
        return False

    def _intellipush_shipping_template(self):
        """The company's template for this transfer's step, or no template."""
        return {
            "packed": self.company_id.intellipush_packed_sms_template_id,
            "shipped": self.company_id.intellipush_shipped_sms_template_id,
        }.get(self._intellipush_shipping_step(), self.env["sms.template"])

    def _intellipush_send_shipping_sms(self):
        """Post the packed / shipped SMS (transactional) on the transfer's chatter."""
        candidates = self.filtered(
            lambda picking: (
                picking.company_id.intellipush_shipping_sms
                and picking.company_id._intellipush_active()
                and not picking.intellipush_sms_sent
            )
        )
        by_template = candidates.grouped(lambda picking: picking._intellipush_shipping_template())
        by_template.pop(self.env["sms.template"], None)  # not a step that sends
        for template, pickings in by_template.items():
            sent = pickings._intellipush_post_template_sms(
                template,
                unreachable_note=lambda picking: self.env._(
                    "No shipping SMS sent: %(partner)s has no valid mobile number.",
                    partner=picking.partner_id.display_name,
                ),
            )
            pickings._intellipush_posted_on(sent).intellipush_sms_sent = True
