from odoo import _, api, fields, models


class IntellipushReminderRule(models.Model):
    """When an unpaid customer invoice gets an SMS reminder, and which one."""

    _name = "intellipush.reminder.rule"
    _description = "SMS Invoice Reminder Rule"
    _order = "company_id, days_offset"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    days_offset = fields.Integer(
        "Days After Due Date",
        required=True,
        help="Negative: before the due date (-3 is three days before), 0: on the due date, positive: after it.",
    )
    template_id = fields.Many2one(
        "sms.template",
        "SMS Template",
        required=True,
        domain=[("model", "=", "account.move")],
        help="Rendered for the invoice: use the amount due, the due date and object.sms_portal_link() "
        "for the payment page.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "company_offset_unique",
            "unique(company_id, days_offset)",
            "There is already a reminder rule for this day.",
        ),
    ]

    @api.depends("days_offset")
    def _compute_name(self):
        for rule in self:
            if rule.days_offset < 0:
                rule.name = _("%s days before the due date", -rule.days_offset)
            elif rule.days_offset == 0:
                rule.name = _("On the due date")
            else:
                rule.name = _("%s days after the due date", rule.days_offset)

    @api.model
    def action_send_due_reminders(self):
        """Run the daily reminders now, without debug mode: the scheduled
        action is woken, and it sends each due reminder once as every day."""
        self.env.ref("intellipush_sms.ir_cron_intellipush_invoice_reminders").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Reminders on their way"),
                "message": _("The due reminders are sent within a minute: see SMS / Messages / Invoice Reminders."),
            },
        }
