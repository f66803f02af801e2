"""What a manager does with a sent SMS campaign: a mailing list of those who
clicked (or did not) for a reminder, and the results as an Excel workbook.
"""

from collections import Counter

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools.campaign_report import build_workbook


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_skip_summary = fields.Char(
        "Skipped",
        compute="_compute_intellipush_skip_summary",
        help="The recipients the consent and blacklist rules or the frequency cap left out, and why.",
    )

    def _compute_intellipush_skip_summary(self):
        sms_model = self.env["sms.sms"].sudo()
        skipped = {}
        for mailing, reason, count in sms_model._read_group(
            [
                ("mailing_id", "in", [mailing_id for mailing_id in self.ids if isinstance(mailing_id, int)]),
                ("intellipush_skip_reason", "!=", False),
            ],
            ["mailing_id", "intellipush_skip_reason"],
            ["__count"],
        ):
            skipped.setdefault(mailing, Counter())[reason] = count
        for mailing in self:
            parts = sms_model._intellipush_describe_skipped(skipped[mailing]) if mailing in skipped else []
            mailing.intellipush_skip_summary = "; ".join(parts)

    # ------------------------------------------------------------
    # Lists from behaviour
    # ------------------------------------------------------------

    def action_intellipush_list_clicked(self):
        return self._intellipush_list_from_clicks(clicked=True)

    def action_intellipush_list_not_clicked(self):
        return self._intellipush_list_from_clicks(clicked=False)

    def _intellipush_list_from_clicks(self, clicked):
        """A mailing list of the recipients who clicked (or did not), e.g. for a reminder."""
        self.ensure_one()
        traces = self.env["mailing.trace"].search(
            [
                ("mass_mailing_id", "=", self.id),
                ("sent_datetime", "!=", False),
                ("links_click_datetime", "!=" if clicked else "=", False),
            ]
        )
        names = self._intellipush_trace_names(traces)
        name = (_("%s: clicked") if clicked else _("%s: did not click")) % self.subject
        mailing_list = self.env["mailing.list"].create(
            {
                "name": name,
                "contact_ids": [
                    (0, 0, {"name": names.get(trace.id) or trace.sms_number, "mobile": trace.sms_number})
                    for trace in traces
                    if trace.sms_number
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.list",
            "res_id": mailing_list.id,
            "view_mode": "form",
        }

    def _intellipush_trace_names(self, traces):
        """{trace id: recipient name}, one read per recipient model."""
        names = {}
        for model, model_traces in traces.grouped("model").items():
            records = self.env[model].browse(model_traces.mapped("res_id")).exists()
            display = {record.id: record.display_name for record in records}
            names.update({trace.id: display.get(trace.res_id) for trace in model_traces})
        return names

    # ------------------------------------------------------------
    # Excel export
    # ------------------------------------------------------------

    def action_intellipush_export_xlsx(self):
        """Download the selected SMS campaigns and their visits as an Excel file."""
        mailings = self.filtered(lambda mailing: mailing.mailing_type == "sms")
        if not mailings:
            raise UserError(_("Select SMS mailings to export."))
        content = build_workbook(
            mailings._intellipush_summary_rows(), mailings._intellipush_visit_rows(), _titles(self.env)
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": _("SMS campaigns %s.xlsx", fields.Date.context_today(self)),
                "raw": content,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true&access_token={attachment.generate_access_token()[0]}",
            "target": "download",
        }

    def _intellipush_summary_rows(self):
        results = self._intellipush_results()
        return [
            {
                "name": mailing.subject,
                "sent_date": mailing.sent_date,
                "recipients": mailing.expected,
                "sent": mailing.sent,
                "delivered": mailing.delivered,
                "failed": mailing.failed,
                "clicks": results[mailing].clicks,
                "unique_visitors": mailing.intellipush_unique_visitors,
                "click_rate": mailing.intellipush_click_rate / 100,
                "opt_outs": mailing.intellipush_opt_outs,
                "credits": mailing.intellipush_credits_spent,
                "orders": results[mailing].orders,
                "revenue": results[mailing].revenue,
                "revenue_per_credit": results[mailing].revenue_per_credit,
                "co2_grams": mailing.intellipush_co2_grams,
            }
            for mailing in self
        ]

    def _intellipush_visit_rows(self):
        """One row per (recipient, link) that was visited, in one grouped read."""
        groups = (
            self.env["link.tracker.click"]
            .sudo()
            ._read_group(
                [("mass_mailing_id", "in", self.ids), ("mailing_trace_id", "!=", False)],
                ["mass_mailing_id", "mailing_trace_id", "link_id"],
                ["__count", "create_date:min", "create_date:max"],
            )
        )
        traces = self.env["mailing.trace"].browse({trace.id for _m, trace, _l, _c, _f, _t in groups})
        names = self._intellipush_trace_names(traces)
        # Visits through Intellipush's links become clicks when they are
        # synced; Intellipush knows when they happened.
        provider_times = {
            (short_url.mailing_trace_id, short_url.link_tracker_id): (short_url.first_visit, short_url.last_visit)
            for short_url in self.env["intellipush.short.url"]
            .sudo()
            .search([("mailing_trace_id", "in", traces.ids), ("first_visit", "!=", False)])
        }
        return [
            {
                "campaign": mailing.subject,
                "recipient": names.get(trace.id) or "",
                "number": trace.sms_number or "",
                "link": link.url,
                "first_visit": provider_times.get((trace, link), (first, last))[0],
                "last_visit": provider_times.get((trace, link), (first, last))[1],
                "visits": count,
            }
            for mailing, trace, link, count, first, last in groups
        ]


def _titles(env):
    """Column and sheet titles in the user's language."""
    labels = {
        "Campaigns": env._("Campaigns"),
        "Visits": env._("Visits"),
        "Campaign": env._("Campaign"),
        "Date Sent": env._("Date Sent"),
        "Recipients": env._("Recipients"),
        "SMS Sent": env._("SMS Sent"),
        "Delivered": env._("Delivered"),
        "Failed": env._("Failed"),
        "Clicks": env._("Clicks"),
        "Unique visitors": env._("Unique visitors"),
        "Click rate": env._("Click rate"),
        "Opt-outs": env._("Opt-outs"),
        "Credits Spent": env._("Credits Spent"),
        "Orders": env._("Orders"),
        "Revenue (excl. VAT)": env._("Revenue (excl. VAT)"),
        "Revenue per credit": env._("Revenue per credit"),
        "CO2 (g)": env._("CO2 (g)"),
        "Recipient": env._("Recipient"),
        "Number": env._("Number"),
        "Link": env._("Link"),
        "First visit": env._("First visit"),
        "Last visit": env._("Last visit"),
    }
    return labels
