"""Quiet hours at the claim stage: marketing SMS of a company in its quiet
hours are not due. They stay queued (``outgoing``, credits reserved) and the
dispatch is woken at the first allowed moment; nothing else is ever held.
"""

from odoo import api, fields, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    intellipush_held_until = fields.Datetime(
        "Held Until",
        compute="_compute_intellipush_held",
        help="A queued marketing SMS waits for the end of the company's quiet hours.",
    )
    intellipush_hold_notice = fields.Char("Quiet Hours", compute="_compute_intellipush_held")

    @api.depends("state", "sms_purpose", "company_id")
    def _compute_intellipush_held(self):
        until_by_company = {}
        for sms in self:
            until = False
            if sms.state == "outgoing" and sms.sms_purpose == "marketing" and sms.company_id:
                company = sms.company_id
                if company not in until_by_company:
                    until_by_company[company] = company._intellipush_quiet_until()
                until = until_by_company[company]
            sms.intellipush_held_until = until
            sms.intellipush_hold_notice = until and sms.company_id._intellipush_held_until_text(until)

    @api.model
    def _intellipush_quiet_held_until(self):
        """``{company id: naive UTC end}`` of the Intellipush companies whose
        marketing waits now; the claim leaves their marketing SMS out."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("sms_provider", "=", "intellipush"), ("intellipush_quiet_hours", "=", True)])
        )
        held = {company.id: company._intellipush_quiet_until() for company in companies}
        return {company_id: until for company_id, until in held.items() if until}

    @api.model
    def _intellipush_quiet_company_ids(self):
        """Ids of the companies whose marketing SMS are not due now (for ``_intellipush_due_sql``)."""
        return list(self._intellipush_quiet_held_until()) or [0]

    @api.model
    def _cron_intellipush_dispatch(self, max_batches=None):
        done = super()._cron_intellipush_dispatch(max_batches=max_batches)
        self._intellipush_wake_after_quiet_hours()
        return done

    @api.model
    def _intellipush_wake_after_quiet_hours(self):
        """Trigger the dispatch at the end of the quiet hours of each company
        whose marketing waits for it, so that it goes then, not at a later run."""
        held = self._intellipush_quiet_held_until()
        if not held:
            return
        waiting = self.sudo()._read_group(
            [("state", "=", "outgoing"), ("sms_purpose", "=", "marketing"), ("company_id", "in", list(held))],
            ["company_id"],
        )
        cron = self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").sudo()
        moments = {held[company.id] for (company,) in waiting}
        # The cron runs every few minutes all night: one wake-up per moment, not one per run.
        planned = (
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id), ("call_at", "in", list(moments))])
        )
        for moment in sorted(moments - set(planned.mapped("call_at"))):
            cron._trigger(at=moment)

    @api.model
    def _intellipush_prepare_vals(self, vals_list):
        """A marketing SMS that Intellipush is to send later (a scheduled
        send) is not handed over for a time inside the quiet hours: its time
        moves to their end."""
        vals_list = super()._intellipush_prepare_vals(vals_list)
        company_model = self.env["res.company"]
        for vals in vals_list:
            send_at = vals.get("intellipush_send_at")
            if not send_at or vals.get("sms_purpose") != "marketing":
                continue
            company = company_model.browse(vals.get("company_id") or self.env.company.id)
            until = company._intellipush_quiet_until(fields.Datetime.to_datetime(send_at))
            if until:
                vals["intellipush_send_at"] = until
        return vals_list
