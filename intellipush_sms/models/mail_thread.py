from markupsafe import Markup

from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _intellipush_post_template_sms(self, template, unreachable_note=None, recipients=None):
        """Post ``template`` as a transactional SMS on each record's chatter,
        to the record's customer; the chatter shows its delivery status.

        The template is rendered for all records at once (portal links
        included). Records whose customer has no valid mobile number get
        ``unreachable_note(record)`` as a note instead, when given.
        ``recipients`` is ``_sms_get_recipients_info()`` when the caller has it already.

        :return: ``{record id: mail.message}`` of the SMS posted
        """
        recipients = recipients or self._sms_get_recipients_info()
        reachable = self.browse([record.id for record in self if recipients[record.id]["sanitized"]])
        if isinstance(reachable, self.pool["portal.mixin"]):
            template = template.with_context(sms_portal_links=reachable._sms_prepare_portal_links())
        bodies = template._render_field("body", reachable.ids, compute_lang=True)
        messages = {}
        # Credits and the dispatch are dealt with once for the whole batch below.
        for record in reachable.with_context(intellipush_sms_purpose="transactional", intellipush_queue_later=True):
            info = recipients[record.id]
            # A recipient without a contact (a walk-in customer) gets it at the number.
            messages[record.id] = record._message_sms(
                bodies[record.id],
                partner_ids=info["partner"].ids,
                sms_pid_to_number={info["partner"].id: info["sanitized"]} if info["partner"] else {},
                sms_numbers=None if info["partner"] else [info["sanitized"]],
            )
        if messages:
            self.env["sms.sms"].sudo().search(
                [("mail_message_id", "in", [message.id for message in messages.values()])]
            )._intellipush_queue()
        unreachable = self - reachable
        if unreachable and unreachable_note:
            unreachable._message_log_batch(
                bodies={record.id: Markup("<p>%s</p>") % unreachable_note(record) for record in unreachable}
            )
        return messages
