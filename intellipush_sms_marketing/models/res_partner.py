from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

AGE_BANDS = [
    ("0_17", "Under 18"),
    ("18_24", "18-24"),
    ("25_34", "25-34"),
    ("35_44", "35-44"),
    ("45_54", "45-54"),
    ("55_64", "55-64"),
    ("65", "65 and over"),
]
# Lower age bound of each band, oldest first (a birthdate in the future has none).
_AGE_BAND_STARTS = [(65, "65"), (55, "55_64"), (45, "45_54"), (35, "35_44"), (25, "25_34"), (18, "18_24"), (0, "0_17")]

# Purchase figures of partners, from confirmed sales orders (count, dates,
# average untaxed amount in the company currency) and posted customer
# invoices net of credit notes (revenue). One statement for any number of
# partners: recomputing 100,000 after an import is a single pass.
_REFRESH_FIGURES_SQL = """
    WITH targets AS (
        SELECT id FROM res_partner WHERE %(all)s OR id = ANY(%(ids)s)
    ), orders AS (
        SELECT so.partner_id,
               COUNT(*) AS order_count,
               MIN(so.date_order)::date AS first_order,
               MAX(so.date_order)::date AS last_order,
               AVG(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS average_order
          FROM sale_order so
          JOIN targets ON targets.id = so.partner_id
         WHERE so.state = 'sale'
      GROUP BY so.partner_id
    ), revenue AS (
        SELECT move.partner_id, SUM(move.amount_untaxed_signed) AS total
          FROM account_move move
          JOIN targets ON targets.id = move.partner_id
         WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
      GROUP BY move.partner_id
    ), figures AS (
        SELECT targets.id,
               COALESCE(orders.order_count, 0) AS order_count,
               orders.first_order,
               orders.last_order,
               COALESCE(ROUND(orders.average_order::numeric, 2), 0) AS average_order,
               COALESCE(revenue.total, 0) AS total
          FROM targets
     LEFT JOIN orders ON orders.partner_id = targets.id
     LEFT JOIN revenue ON revenue.partner_id = targets.id
    )
    UPDATE res_partner partner
       SET sms_order_count = figures.order_count,
           sms_first_order_date = figures.first_order,
           sms_last_order_date = figures.last_order,
           sms_average_order = figures.average_order,
           sms_total_revenue = figures.total
      FROM figures
     WHERE partner.id = figures.id
       AND (partner.sms_order_count, partner.sms_first_order_date, partner.sms_last_order_date,
            partner.sms_average_order, partner.sms_total_revenue)
           IS DISTINCT FROM
           (figures.order_count, figures.first_order, figures.last_order,
            figures.average_order, figures.total)
"""

# Categories bought: forgotten, then found again (two statements: the
# parts of one statement see the same snapshot).
_FORGET_CATEGORIES_SQL = """
    DELETE FROM intellipush_partner_product_category_rel
     WHERE %(all)s OR partner_id = ANY(%(ids)s)
"""
_REFRESH_CATEGORIES_SQL = """
    INSERT INTO intellipush_partner_product_category_rel (partner_id, category_id)
    SELECT DISTINCT so.partner_id, template.categ_id
      FROM sale_order_line line
      JOIN sale_order so ON so.id = line.order_id
      JOIN product_product product ON product.id = line.product_id
      JOIN product_template template ON template.id = product.product_tmpl_id
     WHERE so.state = 'sale' AND template.categ_id IS NOT NULL
       AND (%(all)s OR so.partner_id = ANY(%(ids)s))
"""

# The same bands in SQL, built from _AGE_BAND_STARTS (our own constants).
_AGE_BAND_CASE = " ".join(f"WHEN age >= {start} THEN '{band}'" for start, band in _AGE_BAND_STARTS)
_REFRESH_AGE_BANDS_SQL = f"""
    UPDATE res_partner
       SET sms_age_band = bands.band
      FROM (SELECT id, CASE {_AGE_BAND_CASE} END AS band
              FROM (SELECT id, EXTRACT(YEAR FROM AGE(%(today)s, sms_birthdate))::int AS age
                      FROM res_partner
                     WHERE sms_birthdate IS NOT NULL) ages) bands
     WHERE res_partner.id = bands.id
       AND res_partner.sms_age_band IS DISTINCT FROM bands.band
"""  # noqa: S608


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Segmentation figures: stored and indexed for filters and group-bys,
    # written by the SQL refresh below, never computed record by record.
    sms_order_count = fields.Integer("Orders", readonly=True, index=True, copy=False)
    sms_first_order_date = fields.Date("First Order", readonly=True, index=True, copy=False)
    sms_last_order_date = fields.Date("Last Order", readonly=True, index=True, copy=False)
    sms_average_order = fields.Float("Average Order Value", readonly=True, copy=False, digits=(16, 2))
    sms_total_revenue = fields.Float("Total Revenue", readonly=True, index=True, copy=False, digits=(16, 2))
    sms_category_ids = fields.Many2many(
        "product.category",
        "intellipush_partner_product_category_rel",
        "partner_id",
        "category_id",
        string="Categories Bought",
        readonly=True,
        copy=False,
    )
    sms_clicked_mailing_ids = fields.Many2many(
        "mailing.mailing",
        string="Clicked in Campaign",
        compute="_compute_sms_clicked_mailing_ids",
        search="_search_sms_clicked_mailing_ids",
        help="The SMS and e-mail campaigns in which this contact opened a link.",
    )
    sms_birthdate = fields.Date("Birthdate")
    sms_age_band = fields.Selection(
        AGE_BANDS, string="Age Band", compute="_compute_sms_age_band", store=True, index=True
    )

    def _compute_sms_clicked_mailing_ids(self):
        traces = (
            self.env["mailing.trace"]
            .sudo()
            ._read_group(
                [("model", "=", "res.partner"), ("res_id", "in", self.ids), ("links_click_datetime", "!=", False)],
                ["res_id"],
                ["mass_mailing_id:array_agg"],
            )
        )
        mailing_ids = dict(traces)
        for partner in self:
            partner.sms_clicked_mailing_ids = [(6, 0, [i for i in mailing_ids.get(partner.id, []) if i])]

    def _search_sms_clicked_mailing_ids(self, operator, value):
        """Contacts who clicked in the given campaigns (ids or names)."""
        if operator not in ("in", "=", "ilike", "any"):
            raise NotImplementedError(f"Unsupported search on clicked campaigns: {operator}")
        if operator == "any":
            mailings = self.env["mailing.mailing"].search(value)
        elif operator == "ilike":
            mailings = self.env["mailing.mailing"].search([("subject", "ilike", value)])
        else:
            mailings = self.env["mailing.mailing"].browse(value if isinstance(value, list) else [value])
        traces = (
            self.env["mailing.trace"]
            .sudo()
            ._search(
                [
                    ("model", "=", "res.partner"),
                    ("mass_mailing_id", "in", mailings.ids),
                    ("links_click_datetime", "!=", False),
                ]
            )
        )
        return [("id", "in", traces.subselect("res_id"))]

    @api.depends("sms_birthdate")
    def _compute_sms_age_band(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.sms_age_band = _age_band(partner.sms_birthdate, today)

    @api.model
    def _intellipush_refresh_segments(self, partner_ids=None):
        """Recompute the purchase figures and categories of these partners
        (all partners when None) in three SQL statements."""
        self.env.flush_all()
        ids = list(partner_ids or [])
        for query in (_REFRESH_FIGURES_SQL, _FORGET_CATEGORIES_SQL, _REFRESH_CATEGORIES_SQL):
            self.env.cr.execute(SQL(query, all=partner_ids is None, ids=ids))
        self.env["res.partner"].invalidate_model(
            [
                "sms_order_count",
                "sms_first_order_date",
                "sms_last_order_date",
                "sms_average_order",
                "sms_total_revenue",
                "sms_category_ids",
            ]
        )

    @api.model
    def _intellipush_refresh_segments_later(self, partner_ids):
        """Refresh these partners once, just before the transaction commits,
        whatever number of orders and invoices changed in it."""
        data = self.env.cr.precommit.data
        if "intellipush_segment_partner_ids" not in data:
            data["intellipush_segment_partner_ids"] = set()
            self.env.cr.precommit.add(self._intellipush_run_pending_refresh)
        data["intellipush_segment_partner_ids"].update(partner_ids)

    @api.model
    def _intellipush_run_pending_refresh(self):
        pending = self.env.cr.precommit.data.pop("intellipush_segment_partner_ids", set())
        if pending:
            self._intellipush_refresh_segments(list(pending))

    @api.model
    def _cron_intellipush_refresh_segments(self):
        """Nightly: everything again (catches imports and direct SQL), and age bands, which change with time."""
        self._intellipush_refresh_segments()
        self.env.cr.execute(SQL(_REFRESH_AGE_BANDS_SQL, today=fields.Date.context_today(self)))
        self.invalidate_model(["sms_age_band"])


def _age_band(birthdate, today):
    if not birthdate:
        return False
    age = relativedelta(today, birthdate).years
    return next((band for start, band in _AGE_BAND_STARTS if age >= start), False)
