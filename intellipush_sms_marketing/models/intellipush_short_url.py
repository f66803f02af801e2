import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.intellipush_sms.tools import intellipush_api

_logger = logging.getLogger(__name__)

# Visits keep coming in for a while after a campaign; older links are no
# longer asked about.
SYNC_HORIZON = timedelta(days=90)
# Until a company's first link comes back from Intellipush, a link is
# counted as "https://" and this many characters (domain and code).
DEFAULT_SHORT_URL_PATH = 22


class IntellipushShortUrl(models.Model):
    """A short URL made by Intellipush (``url/generate``, ``url/generateChild``).

    A parent stands for a tracked link of Odoo's link tracker in one
    company; each recipient of a campaign gets a child of it, so that a
    visit tells who came. Visits are counted by Intellipush and brought in
    by a cron as link-tracker clicks on the recipient's mailing trace: the
    campaign figures then read the same whichever service shortened the links.
    """

    _name = "intellipush.short.url"
    _description = "Intellipush Short URL"
    _order = "id DESC"
    _rec_name = "short_url"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    link_tracker_id = fields.Many2one(
        "link.tracker", "Tracked Link", required=True, readonly=True, index=True, ondelete="cascade"
    )
    parent_id = fields.Many2one(
        "intellipush.short.url", "Parent URL", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    mailing_trace_id = fields.Many2one(
        "mailing.trace", "Recipient", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    mass_mailing_id = fields.Many2one("mailing.mailing", "Mailing", readonly=True, index="btree_not_null")
    provider_id = fields.Char("Intellipush ID", required=True, readonly=True)
    short_url = fields.Char("Short URL", required=True, readonly=True)
    visits = fields.Integer(readonly=True)
    unique_visitors = fields.Integer(readonly=True)
    first_visit = fields.Datetime(readonly=True)
    last_visit = fields.Datetime(readonly=True)
    synced_at = fields.Datetime("Visits Synced", readonly=True)

    _sql_constraints = [
        (
            "provider_id_unique",
            "UNIQUE(company_id, provider_id)",
            "An Intellipush short URL is recorded once per company.",
        ),
    ]

    def init(self):
        # One parent per tracked link and company: two workers shortening the
        # same campaign at once must not both create one.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS intellipush_short_url_parent_unique
                ON intellipush_short_url (company_id, link_tracker_id)
             WHERE parent_id IS NULL
            """
        )

    # ------------------------------------------------------------
    # Shortening
    # ------------------------------------------------------------

    @api.model
    def _parents_for(self, company, trackers, client):
        """``{link.tracker: parent short URL}`` in ``company``, asking
        Intellipush (``client``) for the missing ones; trackers it refuses
        are left out."""
        parents = self.search(
            [("company_id", "=", company.id), ("link_tracker_id", "in", trackers.ids), ("parent_id", "=", False)]
        )
        by_tracker = {parent.link_tracker_id: parent for parent in parents}
        missing = trackers.filtered(lambda tracker: tracker not in by_tracker)
        values = []
        for tracker in missing:
            try:
                # The redirect Odoo's own link would make, UTM parameters included.
                short = client.generate_url(tracker.redirected_url)
            except intellipush_api.IntellipushError as error:
                _logger.warning("Intellipush did not shorten %s, Odoo's link is kept: %s", tracker.url, error)
                continue
            values.append(
                {
                    "company_id": company.id,
                    "link_tracker_id": tracker.id,
                    "mass_mailing_id": tracker.mass_mailing_id.id,
                    "provider_id": short.provider_id,
                    "short_url": short.short_url,
                }
            )
        for parent in self.create(values):
            by_tracker[parent.link_tracker_id] = parent
        return by_tracker

    # ------------------------------------------------------------
    # Visit statistics
    # ------------------------------------------------------------

    @api.model
    def _cron_intellipush_sync_visits(self):
        """Cron: bring in the visits Intellipush counted on recent campaigns' links."""
        parents = self.search(
            [("parent_id", "=", False), ("create_date", ">=", fields.Datetime.now() - SYNC_HORIZON)],
            order="synced_at ASC NULLS FIRST, id",
        )
        runner = self.env["intellipush.cron.runner"]
        by_company = parents.grouped("company_id")
        done = 0
        for company, client in runner._clients(by_company, "visit sync"):
            for parent in by_company[company]:
                try:
                    visits = client.get_url(parent.provider_id)
                except intellipush_api.IntellipushError as error:
                    _logger.warning("Intellipush visits of %s not synced: %s", parent.short_url, error)
                    continue
                parent._apply_visits(visits)
                done += 1
                # One link at a time: what was counted stays counted.
                runner._commit()
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(parents) - done)
        return done

    def _apply_visits(self, visits):
        """Record the counts of ``visits`` (:class:`UrlVisits` of this parent):
        each new visit of a child becomes a click of its recipient."""
        self.ensure_one()
        self.env["link.tracker.click"].flush_model()
        # Locked so that two syncs never turn the same visits into clicks twice.
        self.env.cr.execute(
            SQL("SELECT id FROM intellipush_short_url WHERE parent_id = %s ORDER BY id FOR UPDATE", self.id)
        )
        children = self.browse([row[0] for row in self.env.cr.fetchall()])
        company = self.company_id

        def utc(account_time):  # CONTRACT §6.3: Intellipush's times are the account's local time
            return company._intellipush_utc(account_time) if account_time else False

        by_provider_id = {child.provider_id: child for child in children}
        clicks = []
        newly_clicked = self.env["mailing.trace"]
        for child_visits in visits.children:
            child = by_provider_id.get(child_visits.provider_id)
            if not child or child_visits.visits <= child.visits:
                continue
            trace = child.mailing_trace_id
            clicks += [
                {
                    "link_id": self.link_tracker_id.id,
                    "mailing_trace_id": trace.id,
                    "mass_mailing_id": child.mass_mailing_id.id,
                    "campaign_id": trace.campaign_id.id or self.link_tracker_id.campaign_id.id,
                }
            ] * (child_visits.visits - child.visits)
            if trace and not trace.links_click_datetime:
                newly_clicked |= trace
            # Intellipush reports no first visit: the last one seen at the first sync with visits stands in.
            last_visit = utc(child_visits.last_visit)
            child.write(
                {
                    "visits": child_visits.visits,
                    "unique_visitors": child_visits.unique_visitors,
                    "first_visit": child.first_visit or last_visit,
                    "last_visit": last_visit,
                }
            )
        self.env["link.tracker.click"].sudo().create(clicks)
        newly_clicked.set_opened()
        newly_clicked.set_clicked()
        self.write(
            {
                "visits": visits.visits,
                "unique_visitors": visits.unique_visitors,
                "first_visit": self.first_visit or (utc(visits.last_visit) if visits.visits else False),
                "last_visit": utc(visits.last_visit),
                "synced_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _placeholder(self, company):
        """A stand-in as long as the links Intellipush makes for ``company``,
        for counting segments before a campaign goes."""
        last = self.sudo().search(
            [("company_id", "=", company.id), ("parent_id", "!=", False)], order="id DESC", limit=1
        )
        return "x" * len(last.short_url) if last else "https://" + "x" * DEFAULT_SHORT_URL_PATH
