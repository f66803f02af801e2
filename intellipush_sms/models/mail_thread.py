from markupsafe import Markup

from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _intellipush_post_sms(self, body_by_id, purpose="transactional", recipients=None, **message_sms_kwargs):
        """The one way our code posts SMS from records: ``body_by_id[record.id]``
        goes as an SMS on each record's chatter (where its delivery status
        shows), and all of them are queued at once: one reservation of
        credits, one wake-up of the dispatch.

        :param purpose: the SMS purpose, which the consent rules apply to
        :param recipients: ``{record id: _sms_get_recipients_info() entry}`` to
            send to; a recipient without a contact (a walk-in customer) gets it
            at the number. Without it, Odoo's ``_message_sms`` finds them.
        :param message_sms_kwargs: passed on to ``_message_sms`` (``author_id``,
            ``number_field``, ``sms_numbers``, ``subtype_id``)
        :return: the ``sms.sms`` created; each one's ``mail_message_id.res_id`` is its record
        """
        messages = self.env["mail.message"]
        for record in self.with_context(intellipush_sms_purpose=purpose):
            kwargs = dict(message_sms_kwargs)
            if recipients is not None:
                info = recipients[record.id]
                partner = info["partner"]
                kwargs.update(
                    partner_ids=partner.ids,
                    sms_pid_to_number={partner.id: info["sanitized"]} if partner else {},
                    sms_numbers=None if partner else [info["sanitized"]],
                )
            messages |= record._message_sms(body_by_id[record.id], put_in_queue=True, **kwargs)
        notifications = messages.sudo().notification_ids.filtered(lambda notif: notif.notification_type == "sms")
        sms = self.env["sms.sms"].sudo().browse(notifications.mapped("sms_id_int"))
        return sms._intellipush_queue()

    def _intellipush_post_template_sms(self, template, unreachable_note=None, recipients=None):
        """Post ``template`` as a transactional SMS on each record's chatter,
        to the record's customer (see :meth:`_intellipush_post_sms`).

        The template is rendered for all records at once (portal links
        included). Records whose customer has no valid mobile number get
        ``unreachable_note(record)`` as a note instead, when given.
        ``recipients`` is ``_sms_get_recipients_info()`` when the caller has it already.

        :return: the ``sms.sms`` posted
        """
        recipients = recipients or self._sms_get_recipients_info()
        reachable = self.browse([record.id for record in self if recipients[record.id]["sanitized"]])
        if isinstance(reachable, self.pool["portal.mixin"]):
            template = template.with_context(sms_portal_links=reachable._sms_prepare_portal_links())
        bodies = template._render_field("body", reachable.ids, compute_lang=True)
        # Automatic SMS ride on a business transaction (an order confirmed at
        # the counter): reserving their credits there would make every such
        # transaction compete for the wallet's lock. The dispatch run, woken
        # at once, reserves them before it sends.
        sms = (
            reachable.with_context(intellipush_reserve_in_dispatch=True)._intellipush_post_sms(
                bodies, recipients=recipients
            )
            if reachable
            else self.env["sms.sms"]
        )
        unreachable = self - reachable
        if unreachable and unreachable_note:
            unreachable._message_log_batch(
                bodies={record.id: Markup("<p>%s</p>") % unreachable_note(record) for record in unreachable}
            )
        return sms

    def _intellipush_posted_on(self, sms):
        """Those of these records that ``sms`` (from :meth:`_intellipush_post_sms`) were posted on."""
        return self.browse(set(sms.mail_message_id.mapped("res_id")) & set(self.ids))
