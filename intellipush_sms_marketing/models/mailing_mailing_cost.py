"""The cost of an SMS mailing before it goes: the live estimate on its form
(exact up to a sample size, sampled and scaled beyond it) and the wallet
check that refuses to queue a campaign the credits cannot pay for.
"""

import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import TEXT_URL_REGEX

from odoo.addons.intellipush_sms.tools.sms_encoding import analyze

# Beyond this many recipients, the live estimate reads a sample of them, spread
# over the audience, and scales it to their count; sending reads them all.
ESTIMATE_SAMPLE_PARAM = "intellipush_sms_marketing.estimate_sample"
DEFAULT_ESTIMATE_SAMPLE = 1000


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_cost_summary = fields.Char("Estimated Cost", compute="_compute_intellipush_cost_summary")

    @api.depends(
        "mailing_type",
        "state",
        "body_plaintext",
        "sms_allow_unsubscribe",
        "mailing_domain",
        "contact_list_ids",
        "intellipush_segment_id",
        "intellipush_legal_basis",
    )
    def _compute_intellipush_cost_summary(self):
        sample_size = int(
            self.env["ir.config_parameter"].sudo().get_param(ESTIMATE_SAMPLE_PARAM, DEFAULT_ESTIMATE_SAMPLE)
        )
        for mailing in self:
            mailing.intellipush_cost_summary = False
            if not mailing._intellipush_prices_before_sending():
                continue
            res_ids = mailing._intellipush_remaining_ids()
            if sample_size and len(res_ids) > sample_size:
                mailing.intellipush_cost_summary = mailing._intellipush_estimated_summary(res_ids, sample_size)
                continue
            recipients, body = mailing._intellipush_campaign_messages()
            mailing.intellipush_cost_summary = mailing._intellipush_sms_policy()._intellipush_estimate(
                recipients, body, "marketing", self.env.company
            )

    def _intellipush_prices_before_sending(self):
        self.ensure_one()
        return (
            self.mailing_type == "sms"
            and self.state in ("draft", "in_queue")
            and bool(self.body_plaintext)
            and bool(self.mailing_model_real)
            and self.env.company.sms_provider == "intellipush"
        )

    def _intellipush_remaining_ids(self):
        """Ids of the recipients not reached yet, in id order: one query for
        the audience and one for this mailing's traces, however large."""
        self.ensure_one()
        model = self.env[self.mailing_model_real]
        # Not sorted by name: id order is all a sample needs.
        self.env.cr.execute(model._search(self._get_recipients_domain(), order="id").select())
        res_ids = [row[0] for row in self.env.cr.fetchall()]
        # A mailing being edited has no id yet to tell whom it reached already.
        if not isinstance(self.id, int):
            return res_ids
        reached = {
            trace["res_id"]
            for trace in self.env["mailing.trace"].search_read(
                [("mass_mailing_id", "=", self.id), ("model", "=", self.mailing_model_real)], ["res_id"]
            )
        }
        return [res_id for res_id in res_ids if res_id not in reached]

    def _intellipush_campaign_messages(self, res_ids=None):
        """``([(number, partner)], text)`` this campaign will send to the
        recipients ``res_ids`` (by default those not reached yet): the text
        as the first of them gets it, its links and opt-out link at the
        length they will have."""
        self.ensure_one()
        if res_ids is None:
            # A mailing being edited has no id yet to tell whom it reached already.
            res_ids = self._get_remaining_recipients() if isinstance(self.id, int) else self._get_recipients()
        records = self.env[self.mailing_model_real].browse(res_ids)
        recipients = [
            (info["sanitized"] or info["number"], info["partner"])
            for info in records._sms_get_recipients_info().values()
            if info["sanitized"] or info["number"]
        ]
        body = self.body_plaintext or ""
        if records:
            body = self.env["mail.render.mixin"]._render_template(
                body, self.mailing_model_real, records[:1].ids, engine="inline_template"
            )[records[:1].id]
        placeholders = self.get_sms_link_replacements_placeholders()
        body = re.sub(TEXT_URL_REGEX, placeholders["link"], body)
        if self.sms_allow_unsubscribe:
            body += placeholders["unsubscribe"]
        return recipients, body

    def _intellipush_estimated_summary(self, res_ids, sample_size):
        """The cost line of a large audience, estimated: the consent and
        blacklist rules and the prices applied to ``sample_size`` recipients
        spread over ``res_ids``, scaled to their number. The exact figures
        are made when the campaign goes (the wallet check, the reservation)."""
        company = self.env.company
        step = len(res_ids) / sample_size
        sample = [res_ids[int(index * step)] for index in range(sample_size)]
        numbers, body, skipped, bases = self._intellipush_sms_policy()._intellipush_reachable(
            *self._intellipush_campaign_messages(sample), "marketing", company
        )
        total = len(res_ids)
        if self.ab_testing_enabled and not self.ab_testing_is_winner_mailing:
            # An A/B test goes to its share of the audience.
            total = max(round(total * self.ab_testing_pc / 100), 1)
        scale = total / len(sample)

        def scaled(count):
            return round(count * scale)

        wallet = self.env["intellipush.credit.wallet"]._for_company(company)
        analysis = analyze(body)
        quotes = self.env["intellipush.credit.rate"]._quote(
            company, [(number, analysis.segments) for number in numbers]
        )
        priced = [quote.cost for quote in quotes if quote.cost is not None]
        parts = [
            _(
                "Estimated from %(sample)s of %(total)s recipients: about %(count)s SMS, %(encoding)s, "
                "%(segments)s segment(s) each: about %(cost)s credits (%(available)s available)",
                sample=len(sample),
                total=total,
                count=scaled(len(priced)),
                encoding=analysis.encoding,
                segments=analysis.segments,
                cost=wallet._format_credits(float(sum(priced)) * scale if priced else 0),
                available=wallet._format_credits(wallet._available()),
            )
        ]
        if blocked := sum(1 for quote in quotes if quote.cost is None and quote.e164):
            parts.append(_("about %s to destinations not enabled", scaled(blocked)))
        if invalid := sum(1 for quote in quotes if not quote.e164):
            parts.append(_("about %s invalid number(s)", scaled(invalid)))
        if existing := bases.count("existing_customer"):
            parts.append(
                _(
                    "about %(consent)s with consent, about %(customers)s existing customer(s) (§15(3))",
                    consent=scaled(len(bases) - existing),
                    customers=scaled(existing),
                )
            )
        labels = self.env["sms.sms"]._intellipush_skip_labels()
        parts += [
            self.env._("about %(count)s skipped: %(reason)s", count=scaled(count), reason=labels[skip])
            for skip, count in skipped.most_common()
        ]
        return "; ".join(parts)

    def action_put_in_queue(self):
        self._intellipush_follow_segments()
        for mailing in self.filtered(lambda mailing: mailing.mailing_type == "sms"):
            mailing._intellipush_check_wallet()
        return super().action_put_in_queue()

    def _intellipush_check_wallet(self):
        """Refuse to queue a campaign the prepaid credits cannot pay for."""
        self.ensure_one()
        if not self._intellipush_prices_before_sending():
            return
        company = self.env.company
        numbers, body, _skipped, _bases = self._intellipush_sms_policy()._intellipush_reachable(
            *self._intellipush_campaign_messages(), "marketing", company
        )
        wallet = self.env["intellipush.credit.wallet"]._for_company(company)
        segments = analyze(body).segments
        quotes = self.env["intellipush.credit.rate"]._quote(company, [(number, segments) for number in numbers])
        needed = sum(quote.cost for quote in quotes if quote.cost is not None)
        available = wallet._available()
        if needed > available:
            raise UserError(
                _(
                    "This campaign needs about %(needed)s credits and the wallet has %(available)s available. "
                    "Buy credits under SMS / Credits, or send to fewer recipients.",
                    needed=wallet._format_credits(needed),
                    available=wallet._format_credits(available),
                )
            )
