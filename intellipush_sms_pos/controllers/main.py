from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.pos_order import PAID_STATES


class PosReceiptPortal(CustomerPortal):
    @http.route("/pos/receipt/<int:order_id>", type="http", auth="public", website=True, sitemap=False)
    def intellipush_pos_receipt(self, order_id, access_token=None, **kwargs):
        """The receipt of a POS order, for the customer who got the link by SMS."""
        # Tokens are ASCII; Odoo's constant-time comparison raises on anything else.
        if access_token and not access_token.isascii():
            raise request.not_found()
        try:
            order_sudo = self._document_check_access("pos.order", order_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise request.not_found() from error
        if order_sudo.state not in PAID_STATES:
            raise request.not_found()
        order_sudo = order_sudo.with_company(order_sudo.company_id)
        return request.render(
            "intellipush_sms_pos.pos_receipt_page",
            {
                "order": order_sudo,
                "invoice_url": f"/pos/ticket/validate?access_token={order_sudo.access_token}"
                if order_sudo.state in ("paid", "done") and not order_sudo.account_move
                else False,
            },
        )

    @http.route("/pos/receipt/<path:_path>", type="http", auth="none", csrf=False, save_session=False)
    def intellipush_pos_receipt_unknown(self, **_kwargs):
        """Not a receipt URL (an id that is no number, a NUL byte): 404 at once.
        Odoo's own 404 would first look the path up among attachments, which
        fails (500) on a NUL byte."""
        return request.make_response("Not found.", headers=[("Content-Type", "text/plain")], status=404)
