import logging

from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize

_logger = logging.getLogger(__name__)

PAID_STATES = ("paid", "done", "invoiced")
# Written by the server only: a register sending them back changes nothing.
SERVER_FIELDS = ("intellipush_receipt_sms_sent_number", "intellipush_receipt_sms_sent_at")


class PosOrder(models.Model):
    _inherit = "pos.order"

    # The request travels with the order: a register that is offline keeps it
    # with the unsynced order and the server sends it when the order arrives.
    intellipush_receipt_sms_number = fields.Char(
        "Receipt SMS Requested To",
        copy=False,
        help="The number the cashier asked to send the receipt to by SMS.",
    )
    intellipush_receipt_sms_sent_number = fields.Char(
        "Receipt SMS Request Handled",
        readonly=True,
        copy=False,
        help="The requested number whose receipt SMS was handled: the same request is never sent twice.",
    )
    intellipush_receipt_sms_sent_at = fields.Datetime(
        "Receipt SMS Sent",
        readonly=True,
        copy=False,
        help="When the receipt last went out by SMS; the order's chatter shows each SMS and its delivery.",
    )

    def _compute_access_url(self):
        # The receipt page behind the link of the receipt SMS.
        for order in self:
            order.access_url = f"/pos/receipt/{order.id}"

    # ------------------------------------------------------------
    # Synchronisation with the register
    # ------------------------------------------------------------

    @api.model
    def sync_from_ui(self, orders):
        for order in orders:
            for field_name in SERVER_FIELDS:
                order.pop(field_name, None)
        self._intellipush_take_receipt_requests(orders)
        return super().sync_from_ui(orders)

    @api.model
    def _intellipush_take_receipt_requests(self, orders):
        """Receipt SMS asked for on orders the server has already as paid.

        Odoo ignores a paid order synced again; its receipt request is taken
        from the payload here, and sent unless that request was handled.
        """
        requested = {
            order["uuid"]: order["intellipush_receipt_sms_number"]
            for order in orders
            if order.get("uuid") and isinstance(order.get("intellipush_receipt_sms_number"), str)
        }
        if not requested:
            return
        paid = self.search([("uuid", "in", list(requested)), ("state", "in", PAID_STATES)])
        for order in paid:
            if order.intellipush_receipt_sms_number != requested[order.uuid]:
                order.intellipush_receipt_sms_number = requested[order.uuid]
        paid._intellipush_send_receipt_sms()

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft:
            self._intellipush_record_customer_basis()
            self._intellipush_send_receipt_sms()
        return order_id

    def _intellipush_record_customer_basis(self):
        """Markedsføringsloven § 15(3): a paid order's customer with a mobile
        number becomes an existing customer, with the opt-out the receipt prints."""
        for order in self.filtered(lambda order: order.state in PAID_STATES and order.partner_id):
            if optout := order.company_id._intellipush_customer_optout_text():
                order.partner_id.with_context(
                    intellipush_pos_config_id=order.config_id.id
                )._sms_record_existing_customer("pos", order.pos_reference or order.name, optout)

    # ------------------------------------------------------------
    # Receipt SMS
    # ------------------------------------------------------------

    def _intellipush_send_receipt_sms(self):
        """Send the receipt SMS these paid orders are due, once each.

        Due is the one the cashier asked for, to the number typed, while that
        request is not handled; else, where the shop sends receipts after
        every payment, one to the customer's mobile. A failure here never
        stops the order from being saved: the order's chatter tells what went wrong.
        """
        candidates = self._intellipush_receipt_sms_due()[0]
        if not candidates:
            return  # most sales: no request, no automatic receipt, no lock
        # Two registers syncing the same order wait for each other here; the
        # second one then finds the request handled.
        self.env.cr.execute("SELECT id FROM pos_order WHERE id IN %s FOR NO KEY UPDATE", [tuple(candidates.ids)])
        candidates.invalidate_recordset(["intellipush_receipt_sms_sent_number", "intellipush_receipt_sms_sent_at"])
        due, asked = candidates._intellipush_receipt_sms_due()
        for config, config_orders in due.grouped("config_id").items():
            template = config._intellipush_receipt_template()
            if not template:
                continue
            try:
                with self.env.cr.savepoint():
                    config_orders._intellipush_post_receipt_sms(template, asked)
            except Exception:
                # Like Odoo's own processing of a paid order: logged, the order is saved.
                _logger.exception("Receipt SMS of POS orders %s could not be sent", config_orders.ids)
                config_orders._message_log_batch(
                    bodies={
                        order.id: Markup("<p>%s</p>")
                        % self.env._("The receipt could not be sent by SMS: see the server log.")
                        for order in config_orders
                    }
                )
        for order in asked:
            order.intellipush_receipt_sms_sent_number = order.intellipush_receipt_sms_number

    def _intellipush_receipt_sms_due(self):
        """(orders due a receipt SMS, those of them asked for by the cashier)."""
        paid = self.filtered(lambda order: order.state in PAID_STATES)
        asked = paid.filtered(
            lambda order: (
                order.intellipush_receipt_sms_number
                and order.intellipush_receipt_sms_number != order.intellipush_receipt_sms_sent_number
            )
        )
        automatic = (paid - asked).filtered(
            lambda order: (
                order.config_id.intellipush_auto_receipt_sms
                and order.partner_id
                and not order.intellipush_receipt_sms_sent_at
            )
        )
        return asked | automatic, asked

    def _intellipush_post_receipt_sms(self, template, asked):
        """Post the receipt on each order's chatter as a transactional SMS: to
        the number asked for on the orders of ``asked``, else to the customer
        (those without a valid mobile are left alone)."""
        recipients = self._sms_get_recipients_info()
        for order in self & asked:
            try:
                number = normalize(
                    order.intellipush_receipt_sms_number,
                    order.company_id._intellipush_phone_region(),
                    mobile_only=order.company_id._intellipush_mobile_only(),
                ).e164
            except InvalidPhoneNumber:
                number = False
            recipients[order.id] = {**recipients[order.id], "sanitized": number}
        targets = self.filtered(lambda order: order in asked or recipients[order.id]["sanitized"])
        sent = targets._intellipush_post_template_sms(
            template,
            recipients=recipients,
            unreachable_note=lambda order: self.env._(
                "The receipt was not sent by SMS: %(number)s is not a valid mobile number.",
                number=order.intellipush_receipt_sms_number,
            ),
        )
        targets._intellipush_posted_on(sent).intellipush_receipt_sms_sent_at = fields.Datetime.now()
