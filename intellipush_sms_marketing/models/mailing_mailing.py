"""What our gateway adds to an SMS mailing: segments as recipients, the
chunked send, the campaign figures. The estimate and the wallet check are in
``mailing_mailing_cost.py``; follow-up lists and the Excel export in
``mailing_mailing_results.py``.
"""

import re
from html import unescape

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import split_every
from odoo.tools.mail import TEXT_URL_REGEX

# Estimated emissions, for the footnote next to a campaign's figures.
CO2_GRAMS_PER_SMS = 0.014
CO2_GRAMS_PER_EMAIL = 4.0
SEND_CHUNK_PARAM = "intellipush_sms_marketing.send_chunk"
DEFAULT_SEND_CHUNK = 5000
# A campaign committed chunk by chunk goes in chunks this small: the dispatch
# sends each while the next is made, has SMS to send a moment after *Send*,
# and has little left once the last is made. (In chunks of 5,000 it waited
# for each chunk, then sent it while the machine had little else to do.)
COMMITTED_CHUNK = 1000
# Template expressions, whose links are known only once rendered.
TEMPLATE_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
# Demo traces that get their SMS through the gateway: delivered, or skipped.
DEMO_TRACE_STATUSES = ("sent", "open", "reply", "cancel")


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_credits_spent = fields.Float("Credits Spent", digits=(16, 2), compute="_compute_intellipush_statistics")
    intellipush_unique_visitors = fields.Integer("Unique Visitors", compute="_compute_intellipush_statistics")
    intellipush_click_rate = fields.Float("Click Rate (%)", digits=(16, 1), compute="_compute_intellipush_statistics")
    intellipush_bot_visits = fields.Integer(
        "Bot Visits",
        compute="_compute_intellipush_bot_visits",
        help="Visits of bots, link previews and HEAD requests on the campaign's links: not counted as clicks.",
    )
    intellipush_opt_outs = fields.Integer("Skipped: Opted Out", compute="_compute_intellipush_statistics")
    intellipush_co2_grams = fields.Float("CO₂ (g)", digits=(16, 3), compute="_compute_intellipush_statistics")
    intellipush_handed_over = fields.Integer("Handed to Intellipush", compute="_compute_intellipush_statistics")
    intellipush_to_send = fields.Integer("SMS to Send", compute="_compute_intellipush_statistics")
    intellipush_progress = fields.Float("Sending Progress (%)", compute="_compute_intellipush_statistics")
    intellipush_co2_email_grams = fields.Float(
        "CO₂ by E-mail (g)", digits=(16, 1), compute="_compute_intellipush_statistics"
    )
    intellipush_segment_id = fields.Many2one(
        "intellipush.sms.segment",
        string="Segment",
        compute="_compute_intellipush_segment_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        help="Send to the contacts of this saved segment: the recipients follow the segment's conditions, "
        "as they are when the mailing is sent.",
    )

    def _compute_intellipush_bot_visits(self):
        visits = self.env["link.tracker"]._intellipush_bot_visits_by_mailing(self)
        for mailing in self:
            mailing.intellipush_bot_visits = visits.get(mailing.id, 0)

    # ------------------------------------------------------------
    # Recipients from a segment
    # ------------------------------------------------------------

    @api.depends("mailing_model_name")
    def _compute_intellipush_segment_id(self):
        # A segment selects contacts: another recipient model drops it, as
        # Odoo drops a favourite filter of another model.
        for mailing in self:
            if mailing.mailing_model_name != "res.partner":
                mailing.intellipush_segment_id = False

    @api.onchange("intellipush_segment_id")
    def _onchange_intellipush_segment_id(self):
        # Picking a segment is choosing contacts: no need to pick the model first.
        partner_model = self.env["ir.model"]._get("res.partner")
        for mailing in self.filtered(lambda mailing: mailing.intellipush_segment_id):
            if mailing.mailing_model_id != partner_model:
                mailing.mailing_model_id = partner_model

    @api.depends("intellipush_segment_id")
    def _compute_mailing_domain(self):
        res = super()._compute_mailing_domain()
        for mailing in self:
            if mailing.intellipush_segment_id and mailing.mailing_model_name == "res.partner":
                mailing.mailing_domain = repr(mailing._intellipush_segment_domain())
        return res

    def _intellipush_segment_domain(self):
        """The recipients' domain of a mailing to a segment: the segment's
        conditions within the default domain Odoo gives contact mailings."""
        self.ensure_one()
        return expression.AND([self._get_default_mailing_domain(), self.intellipush_segment_id._partner_domain()])

    def _intellipush_follow_segments(self):
        """Bring the domain of the unsent mailings to a segment in line with
        the segment's conditions (changed since, or edited by hand)."""
        for mailing in self.filtered(
            lambda mailing: mailing.intellipush_segment_id
            and mailing.mailing_model_name == "res.partner"
            and mailing.state in ("draft", "in_queue")
        ):
            domain = repr(mailing._intellipush_segment_domain())
            if mailing.mailing_domain != domain:
                mailing.mailing_domain = domain

    @api.constrains("intellipush_segment_id", "mailing_model_id", "mailing_type")
    def _check_intellipush_segment(self):
        for mailing in self.filtered("intellipush_segment_id"):
            if mailing.mailing_type != "sms" or mailing.mailing_model_name != "res.partner":
                raise ValidationError(
                    _("A segment selects contacts: choose Contacts as the recipients of an SMS mailing to a segment.")
                )

    def get_sms_link_replacements_placeholders(self):
        # The counter and the estimate count a campaign link at the length
        # of the links Intellipush makes when it shortens them.
        placeholders = super().get_sms_link_replacements_placeholders()
        if self.env.company.intellipush_link_backend == "intellipush":
            placeholders["link"] = self.env["intellipush.short.url"]._placeholder(self.env.company)
        return placeholders

    def action_send_sms(self, res_ids=None):
        """Create the campaign's SMS a chunk of recipients at a time.

        Odoo hands its composer every recipient at once, as a text its own
        ``literal_eval`` refuses beyond 100 KiB: a campaign to more than about
        12,000 contacts would fail. In chunks, the composer also holds only
        one chunk's records in memory.
        """
        chunk_size = int(self.env["ir.config_parameter"].sudo().get_param(SEND_CHUNK_PARAM, DEFAULT_SEND_CHUNK))
        # In the mass mailing queue's scheduled action, each chunk of the
        # gateway is committed as it is made: the dispatch starts on the first
        # while the others are being created, and a crash resumes after the
        # last (its recipients have their traces).
        commit_chunks = bool(self.env.context.get("cron_id")) and self.env.company._intellipush_active()
        if commit_chunks:
            # The dispatch reserves the credits of what is committed (see sms.sms._intellipush_queue).
            self = self.with_context(intellipush_reserve_in_dispatch=True)  # noqa: PLW0642
        # A segment is evaluated when the mailing goes, with its conditions of that moment.
        self._intellipush_follow_segments()
        for mailing in self:
            recipient_ids = res_ids or mailing._get_remaining_recipients()
            size = min(COMMITTED_CHUNK, chunk_size) if commit_chunks else chunk_size
            chunks = list(split_every(size, recipient_ids, list))
            for number, chunk in enumerate(chunks, start=1):
                if commit_chunks:
                    mailing._intellipush_set_creating_sms(number < len(chunks))
                super(MailingMailing, mailing).action_send_sms(res_ids=chunk)
                self.env.flush_all()
                if commit_chunks:
                    self.env["intellipush.cron.runner"]._commit()
                self.env.invalidate_all()
        return True

    def _send_sms_get_composer_values(self, res_ids):
        values = super()._send_sms_get_composer_values(res_ids)
        # A template is rendered in each recipient's language: left to Odoo.
        if self.env.company._intellipush_active() and not self.sms_template_id:
            values["body"] = self._intellipush_shorten_template_links(values["body"])
        return values

    def _intellipush_shorten_template_links(self, body):
        """``body`` with its written links (none inside a template expression)
        already tracked: one link tracker lookup per campaign instead of one
        per recipient, as Odoo's composer makes for each rendered text. Links
        that rendering makes are still shortened by Odoo, text by text."""
        if not body:
            return body
        base_url = self.get_base_url()
        expressions = [match.span() for match in TEMPLATE_EXPRESSION.finditer(body)]
        urls = {
            match[0]
            for match in re.finditer(TEXT_URL_REGEX, body)
            if not match[0].startswith((base_url + "/r/", base_url + "/sms/"))
            and body[match.end() : match.end() + 1] != "{"
            and not any(start < match.end() and match.start() < end for start, end in expressions)
        }
        if not urls:
            return body
        urls = sorted(urls)
        trackers = (
            self.env["link.tracker"]
            .sudo()
            .search_or_create([{**self._get_link_tracker_values(), "url": unescape(url)} for url in urls])
        )
        for url, tracker in zip(urls, trackers, strict=True):
            if tracker.short_url:
                body = re.sub(
                    re.escape(url) + r"(?![\w@:%.+&~#=/-])", lambda _match, short=tracker.short_url: short, body
                )
        return body

    @api.depends("mailing_trace_ids")
    def _compute_intellipush_statistics(self):
        sms_mailings = self.filtered(lambda mailing: mailing.mailing_type == "sms" and mailing.id)
        result_fields = self._intellipush_result_fields()
        (self - sms_mailings).update(
            dict.fromkeys([*result_fields, "intellipush_handed_over", "intellipush_to_send", "intellipush_progress"], 0)
        )
        if not sms_mailings:
            return
        # Progress of a campaign the gateway is still sending: its SMS that
        # went to Intellipush against those that will go.
        progress = {}
        for mailing, state, count in (
            self.env["sms.sms"]
            .sudo()
            ._read_group(
                [("mailing_id", "in", sms_mailings.ids), ("state", "in", ("outgoing", "process", "pending", "sent"))],
                ["mailing_id", "state"],
                ["__count"],
            )
        ):
            handed, total = progress.get(mailing, (0, 0))
            progress[mailing] = (handed + (count if state in ("pending", "sent") else 0), total + count)
        results = sms_mailings._intellipush_results()
        for mailing in sms_mailings:
            result = results[mailing]
            mailing.update({name: result[column] for name, column in result_fields.items()})
            handed, total = progress.get(mailing, (0, 0))
            mailing.intellipush_handed_over = handed
            mailing.intellipush_to_send = total
            mailing.intellipush_progress = 100.0 * handed / total if total else 0

    def _intellipush_result_fields(self):
        """``{field of the mailing: column of the campaign analysis}``: the
        figures of the results read from the analysis in one query."""
        return {
            "intellipush_credits_spent": "credits_spent",
            "intellipush_unique_visitors": "unique_visitors",
            "intellipush_click_rate": "click_rate",
            "intellipush_opt_outs": "opt_outs",
            "intellipush_co2_grams": "co2_grams",
            "intellipush_co2_email_grams": "co2_email_grams",
        }

    def _intellipush_results(self):
        """``{mailing: its row of the campaign analysis}`` (an empty row, all
        zeros, for a mailing nothing went out for): the form, the comparison,
        the Excel export and the analysis read the same figures."""
        # The analysis is a view over traces, clicks and SMS: write them
        # first, and read it afresh (the ORM cannot know when it changed).
        self.env.flush_all()
        report_model = self.env["intellipush.campaign.report"].sudo()
        report_model.invalidate_model()
        rows = {row.mailing_id: row for row in report_model.search([("mailing_id", "in", self.ids)])}
        return {mailing: rows.get(mailing, report_model) for mailing in self}

    # ------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------

    def _intellipush_demo_deliver(self):
        """The SMS of finished demo campaigns, through the gateway: one per
        trace, refused by the policy (consent) or reserved, then delivered,
        which debits the wallet. The campaign's credits spent, its traces and
        the wallet's ledger then tell the same story."""
        sms_model = self.env["sms.sms"].sudo()
        for mailing in self:
            # Traces of SMS that went, or were to go; failures stay as they are.
            traces = mailing.mailing_trace_ids.filtered(
                lambda t: t.trace_type == "sms" and not t.sms_id_int and t.trace_status in DEMO_TRACE_STATUSES
            )
            for trace in traces:
                sms = sms_model.create(
                    {
                        "number": trace.sms_number,
                        "partner_id": trace.res_id if trace.model == "res.partner" else False,
                        "body": mailing.body_plaintext,
                        "mailing_id": mailing.id,
                        "sms_purpose": "marketing",
                    }
                )._intellipush_queue()
                trace.sms_id_int = sms.id
                if sms.state == "outgoing":
                    sms._intellipush_set_state("sent", values={"sent_at": trace.sent_datetime})
                else:
                    trace.write(
                        {
                            "trace_status": "cancel",
                            "failure_type": sms.failure_type,
                            "sent_datetime": False,
                            "links_click_datetime": False,
                        }
                    )
