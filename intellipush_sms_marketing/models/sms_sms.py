import logging
import re

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.intellipush_sms.models.sms_sms import UNSENT_STATES
from odoo.addons.intellipush_sms.tools import intellipush_api
from odoo.addons.intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize

_logger = logging.getLogger(__name__)

# A campaign link as Odoo's SMS Marketing writes it for one recipient:
# {base URL}/r/{tracker code}/s/{sms id}.
RECIPIENT_LINK = re.compile(
    r"(?P<base>https?://[\w@:%.+&~#=-]+)/r/(?P<code>[\w-]+)/s/(?P<sms_id>\d+)(?![\w@:%.+&~#=/-])"
)
# A campaign link before its SMS id is added (Odoo adds "/s/{sms id}").
_LINK_WITHOUT_SMS_ID = r"/r/[\w-]+(?![\w@:%.+&~#=/-])"


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # A campaign's SMS are read by campaign after every dispatch batch (its
    # progress, its auto-pause figures): Odoo leaves this column unindexed.
    mailing_id = fields.Many2one(index="btree_not_null")
    intellipush_links_checked = fields.Boolean(
        "Links Shortened by Intellipush",
        copy=False,
        help="Technical: the campaign links of this SMS were handed to Intellipush's link shortener "
        "(or kept as Odoo's links when it refused).",
    )

    def init(self):
        super().init()
        # Whether a campaign still has SMS in the queue is asked after every
        # dispatch batch (mailing_mailing_state.py): only the queued rows in
        # this index, so the answer does not read what was already sent.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS sms_sms_intellipush_campaign_queue_index
                    ON sms_sms (mailing_id)
                 WHERE mailing_id IS NOT NULL AND state IN %s
                """,
                UNSENT_STATES,
            )
        )

    @api.model
    def _intellipush_prepare_vals(self, vals_list):
        """The SMS of an SMS Marketing mailing are marketing, whoever creates
        them: consent and the opt-out instruction always apply to a campaign."""
        vals_list = [{**vals, "sms_purpose": "marketing"} if vals.get("mailing_id") else vals for vals in vals_list]
        vals_list = super()._intellipush_prepare_vals(vals_list)
        for vals in vals_list:
            if vals.get("mailing_trace_ids"):
                vals["mailing_trace_ids"] = [_trace_command(command, vals) for command in vals["mailing_trace_ids"]]
        return vals_list

    @api.model
    def _intellipush_due_sql(self):
        # The SMS of a campaign that paused itself wait (mailing_mailing_auto_pause.py).
        return SQL(
            """%s
               AND NOT EXISTS (
                   SELECT 1 FROM mailing_mailing paused
                    WHERE paused.id = sms.mailing_id AND paused.intellipush_paused
               )""",
            super()._intellipush_due_sql(),
        )

    def _intellipush_dispatch(self):
        super()._intellipush_dispatch()
        # Intellipush's answer may have pushed a campaign's failure rate over its threshold.
        self.mailing_id._intellipush_check_auto_pause()

    def _intellipush_apply_statuses(self, statuses):
        super()._intellipush_apply_statuses(statuses)
        self.filtered(lambda sms: sms.state == "error").mailing_id._intellipush_check_auto_pause()

    @api.model
    def _intellipush_campaigns_last_sent(self, numbers):
        """The campaigns whose SMS was the last marketing SMS handed over to
        each of ``numbers`` (E.164): those an opt-out from them answers."""
        self.flush_model(["mailing_id", "number", "number_e164", "sms_purpose", "state", "sent_at"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (COALESCE(number_e164, number)) mailing_id
              FROM sms_sms
             WHERE sms_purpose = 'marketing'
               AND state IN ('pending', 'sent')
               AND COALESCE(number_e164, number) = ANY(%s)
          ORDER BY COALESCE(number_e164, number), sent_at DESC NULLS LAST, id DESC
            """,
            [list(numbers)],
        )
        return self.env["mailing.mailing"].browse(
            {mailing_id for (mailing_id,) in self.env.cr.fetchall() if mailing_id}
        )

    def _add_precomputed_values(self, vals_list):
        """Campaign SMS of the gateway get their ids before the INSERT, so that
        each text goes in with its links as Odoo writes them for one recipient
        (``/r/{code}/s/{sms id}``): Odoo's SMS Marketing would rewrite every
        text after creating it, one UPDATE per SMS. Done before the encoding
        fields are precomputed, so that they are those of the text that goes."""
        company_model = self.env["res.company"]
        campaign = [
            vals
            for vals in vals_list
            if vals.get("mailing_id")
            and "/r/" in (vals.get("body") or "")
            and company_model.browse(vals.get("company_id") or self.env.company.id)._intellipush_active()
        ]
        if campaign:
            link = re.compile(re.escape(self.browse().get_base_url()) + _LINK_WITHOUT_SMS_ID)
            self.env.cr.execute(
                "SELECT nextval(pg_get_serial_sequence('sms_sms', 'id')) FROM generate_series(1, %s)",
                [len(campaign)],
            )
            for vals, (sms_id,) in zip(campaign, self.env.cr.fetchall(), strict=True):
                body = _with_sms_id(link, vals["body"], sms_id)
                if body != vals["body"]:
                    # Odoo drops an ``id`` given to create; one set here goes in the INSERT.
                    vals.update(id=sms_id, body=body)
        super()._add_precomputed_values(vals_list)

    def write(self, vals):
        # Odoo's SMS Marketing writes each campaign SMS's text back once
        # created (mass_mailing_sms ``_prepare_mass_sms``), a write per SMS:
        # the gateway's hold that text already (``_create``).
        if (
            vals.keys() == {"body"}
            and len(self) == 1
            and self.mailing_id
            and self.body == vals["body"]
            and (self.company_id or self.env.company)._intellipush_active()
        ):
            return True
        return super().write(vals)

    def _update_body_short_links(self):
        """Odoo adds the SMS id to each campaign link after creating the SMS;
        those of the gateway have it already (see ``_create``): their text stays."""
        ours, others = self._intellipush_split()
        result = super(SmsSms, others)._update_body_short_links()
        if ours:
            link = re.compile(re.escape(self.browse().get_base_url()) + _LINK_WITHOUT_SMS_ID)
            result.update(
                {
                    sms.id: _with_sms_id(link, sms.body, sms.id) if sms.mailing_id and sms.body else sms.body
                    for sms in ours
                }
            )
        return result

    @api.model
    def _intellipush_before_claim(self, limit):
        # Per-recipient links are made for the batch about to go, in the cron,
        # never in the request of the user who sends the campaign: the first
        # batch goes at once instead of after the whole campaign is shortened.
        super()._intellipush_before_claim(limit)
        while self._intellipush_shorten_campaign_links(limit):
            pass

    @api.model
    def _intellipush_shorten_campaign_links(self, limit):
        """Give a child URL per link to the campaign SMS among the next
        ``limit`` the claim takes, of companies that use Intellipush's short
        links; returns how many were handled.

        Runs while the messages are still ``outgoing``: the new text is
        priced again (``_intellipush_change_text``), and a crash leaves either the old link
        (shortened again next time) or the new one, never a sent message
        whose link is unknown. A new price can take an SMS out of the next
        batch (waiting for credits): the caller asks again until the next
        batch holds nothing left to shorten.
        """
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("sms_provider", "=", "intellipush"), ("intellipush_link_backend", "=", "intellipush")])
        )
        if not companies:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT queued.id FROM sms_sms queued
                 WHERE queued.id IN (SELECT sms.id %s ORDER BY sms.id LIMIT %s)
                   AND queued.mailing_id IS NOT NULL
                   AND queued.intellipush_links_checked IS NOT TRUE
                   AND queued.company_id IN %s
              ORDER BY queued.id
                   FOR UPDATE SKIP LOCKED
                """,
                self._intellipush_due_sql(),
                limit,
                tuple(companies.ids),
            )
        )
        batch = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        if not batch:
            return 0
        runner = self.env["intellipush.cron.runner"]
        by_company = batch.grouped("company_id")
        for company, client in runner._clients(by_company, "campaign link shortening"):
            by_company[company]._intellipush_use_provider_links(company, client)
        # Those of a company without a client keep Odoo's links, which are tracked too.
        batch.intellipush_links_checked = True
        runner._commit()
        return len(batch)

    @api.model
    def _intellipush_consenting_numbers(self, numbers):
        """Also the numbers subscribed (not opted out) to a mailing list whose
        sign-up was consent: the subscription's date and the list's proof
        document it."""
        consenting = super()._intellipush_consenting_numbers(numbers)
        others = [number for number in numbers if number not in consenting]
        if others:
            subscriptions = (
                self.env["mailing.subscription"]
                .sudo()
                .search(
                    [
                        ("list_id.intellipush_consent_list", "=", True),
                        ("opt_out", "=", False),
                        ("contact_id.phone_sanitized", "in", others),
                    ]
                )
            )
            consenting |= set(subscriptions.contact_id.mapped("phone_sanitized"))
        return consenting

    def _intellipush_url_target(self, region):
        """Whom this SMS's child URL is for (CONTRACT §6.2): its number, and the contact's e-mail if any."""
        self.ensure_one()
        try:
            # Whom the link is for; whether the number may receive is the dispatch's to say.
            number = normalize(self.number or "", region, mobile_only=False)
        except InvalidPhoneNumber:
            return intellipush_api.UrlTarget(countrycode="", phonenumber=self.number or "")
        return intellipush_api.UrlTarget(
            countrycode=number.intellipush_countrycode,
            phonenumber=number.national_number,
            email=self.partner_id.email or "",
        )

    def _intellipush_use_provider_links(self, company, client):
        """Replace the recipient links of these SMS by Intellipush child URLs.

        A link Intellipush refuses to shorten keeps Odoo's address, which is
        tracked as well: the message goes, the click still counts.
        """
        found = {
            sms: [match for match in RECIPIENT_LINK.finditer(sms.body or "") if int(match["sms_id"]) == sms.id]
            for sms in self
        }
        codes = {match["code"] for matches in found.values() for match in matches}
        if not codes:
            return
        tracker_by_code = {
            code.code: code.link_id for code in self.env["link.tracker.code"].search([("code", "in", list(codes))])
        }
        trackers = self.env["link.tracker"].union(*tracker_by_code.values())
        parents = self.env["intellipush.short.url"]._parents_for(company, trackers, client)
        region = company._intellipush_phone_region()
        children = []
        new_bodies = {}
        for sms, matches in found.items():
            body = sms.body
            trace = sms.mailing_trace_ids[:1]
            for match in matches:
                parent = parents.get(tracker_by_code.get(match["code"]))
                if not parent:
                    continue
                try:
                    child = client.generate_child_url(parent.provider_id, sms._intellipush_url_target(region))
                except intellipush_api.IntellipushError as error:
                    _logger.warning("Intellipush did not shorten a link of SMS %s, Odoo's is kept: %s", sms.id, error)
                    continue
                body = body.replace(match[0], child.short_url, 1)
                children.append(
                    {
                        "company_id": company.id,
                        "link_tracker_id": parent.link_tracker_id.id,
                        "parent_id": parent.id,
                        "mailing_trace_id": trace.id,
                        "mass_mailing_id": sms.mailing_id.id,
                        "provider_id": child.provider_id,
                        "short_url": child.short_url,
                    }
                )
            if body != sms.body:
                new_bodies[sms] = body
        self.browse([sms.id for sms in new_bodies])._intellipush_change_text(new_bodies)
        self.env["intellipush.short.url"].create(children)


def _trace_command(command, sms_vals):
    """A trace creation ``command`` of Odoo's composer, as the policy left its
    SMS: with the legal basis it goes on (the campaign's results count its
    recipients per basis), or skipped with its reason (Odoo's composer wrote
    it as queued before our policy, the frequency cap say, skipped the SMS)."""
    if command[0] != 0:
        return command
    values = dict(command[2])
    if sms_vals.get("intellipush_legal_basis"):
        values["intellipush_legal_basis"] = sms_vals["intellipush_legal_basis"]
    if sms_vals.get("state") == "canceled" and values.get("trace_status") not in ("cancel", "error"):
        values.update(
            trace_status="cancel",
            failure_type=sms_vals.get("failure_type"),
            failure_reason=sms_vals.get("failure_reason"),
        )
    return (0, 0, values)


def _with_sms_id(link, body, sms_id):
    """``body`` with ``/s/{sms_id}`` after each campaign link that has no SMS id yet."""
    return link.sub(lambda match: f"{match[0]}/s/{sms_id}", body)
