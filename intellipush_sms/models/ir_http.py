from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _serve_fallback(cls):
        # A path with a NUL byte names nothing: looking it up among the
        # attachments makes PostgreSQL refuse the query, and the visitor get
        # a 500 instead of a 404.
        if "\x00" in request.httprequest.path:
            return None
        return super()._serve_fallback()
