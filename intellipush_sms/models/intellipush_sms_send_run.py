from odoo import api, fields, models


class IntellipushSmsSendRun(models.Model):
    """One run of an SMS send: the SMS it queued, for its recipients of that moment."""

    _name = "intellipush.sms.send.run"
    _description = "SMS Send Run"
    _order = "date DESC, id DESC"
    _rec_name = "date"

    send_id = fields.Many2one("intellipush.sms.send", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="send_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, readonly=True)
    sms_ids = fields.One2many("sms.sms", "intellipush_send_run_id", string="SMS", readonly=True)
    queued_count = fields.Integer("Queued", compute="_compute_counts")
    skipped_count = fields.Integer("Skipped", compute="_compute_counts")
    credit_cost = fields.Float("Credits", digits=(16, 4), compute="_compute_counts")

    @api.depends("sms_ids.state", "sms_ids.credit_cost")
    def _compute_counts(self):
        counts = {
            (run.id, state): (count, cost)
            for run, state, count, cost in self.env["sms.sms"]
            .sudo()
            ._read_group(
                [("intellipush_send_run_id", "in", self.ids)],
                ["intellipush_send_run_id", "state"],
                ["__count", "credit_cost:sum"],
            )
        }
        for run in self:
            queued = [counts.get((run.id, state), (0, 0)) for state in ("outgoing", "process", "pending", "sent")]
            run.queued_count = sum(count for count, _cost in queued)
            run.skipped_count = sum(counts.get((run.id, state), (0, 0))[0] for state in ("canceled", "error"))
            run.credit_cost = sum(cost for _count, cost in queued)

    def _intellipush_result_notification(self):
        self.ensure_one()
        return self.sms_ids._intellipush_result_action()
