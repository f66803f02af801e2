from odoo import api, fields, models

from odoo.addons.intellipush_sms.models.intellipush_sms_send import IntellipushSmsSend as BaseSmsSend
from odoo.addons.intellipush_sms.tools.phone_display import number_problem
from odoo.addons.intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize


class IntellipushSmsSend(models.Model):
    _inherit = "intellipush.sms.send"
    _intellipush_requeue_fields = BaseSmsSend._intellipush_requeue_fields | {"mailing_list_ids", "segment_ids"}

    mailing_list_ids = fields.Many2many(
        "mailing.list",
        string="Mailing Lists",
        help="The mailing lists of SMS Marketing; contacts who left a list are not sent to.",
    )

    segment_ids = fields.Many2many(
        "intellipush.sms.segment",
        string="Segments",
        help="Contacts matching the segment at the moment of sending (for a recurring send: of each run).",
    )

    @api.depends("mailing_list_ids", "segment_ids")
    def _compute_recipients(self):
        return super()._compute_recipients()

    @api.depends("mailing_list_ids", "segment_ids")
    def _compute_intellipush_is_bulk(self):
        return super()._compute_intellipush_is_bulk()

    @api.depends("mailing_list_ids", "segment_ids")
    def _compute_sms_purpose(self):
        return super()._compute_sms_purpose()

    def _intellipush_bulk(self):
        return super()._intellipush_bulk() or bool(self.mailing_list_ids or self.segment_ids)

    def _intellipush_recipient_partners(self):
        return super()._intellipush_recipient_partners() | self.segment_ids._partners()

    def _intellipush_recipients(self):
        """Also the subscribed contacts of the mailing lists, after the send's
        own recipients, each number once."""
        recipients, invalid = super()._intellipush_recipients()
        if not self.mailing_list_ids:
            return recipients, invalid
        seen = {number for number, _partner in recipients}
        region, mobile_only = self.company_id._intellipush_phone_region(), self.company_id._intellipush_mobile_only()
        subscriptions = self.env["mailing.subscription"].search(
            [("list_id", "in", self.mailing_list_ids.ids), ("opt_out", "=", False)]
        )
        for contact in subscriptions.contact_id:
            try:
                raw = contact.phone_sanitized or contact.mobile or ""
                number = normalize(raw, region, mobile_only=mobile_only).e164
            except InvalidPhoneNumber as error:
                invalid.append((contact.display_name, number_problem(self.env, error)))
                continue
            if number not in seen:
                seen.add(number)
                recipients.append((number, self.env["res.partner"]))
        return recipients, invalid
