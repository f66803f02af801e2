"""Who a campaign may reach (markedsføringsloven § 15): the contacts who
consented, or, for an offer of the shop's own similar products, the existing
customers of § 15(3) too; and how many it reached on each basis.
"""

from collections import Counter

from odoo import api, fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_legal_basis = fields.Selection(
        [
            ("consent", "Only contacts who consented"),
            ("consent_existing", "Consent and existing customers (§15(3): own similar products)"),
        ],
        string="Who May Be Reached",
        default="consent",
        required=True,
        help="Existing customers (§15(3) of the Norwegian Marketing Control Act) gave their mobile number in a "
        "sale and were offered an opt-out: they may get offers of your own products similar to those they "
        "bought, and only those. Every SMS carries the opt-out instruction.",
    )
    intellipush_reached_consent = fields.Integer(
        "Reached with Consent", compute="_compute_intellipush_reached_by_basis"
    )
    intellipush_reached_existing = fields.Integer(
        "Reached as Existing Customers (§15(3))", compute="_compute_intellipush_reached_by_basis"
    )

    def _intellipush_sms_policy(self):
        """``sms.sms`` with this campaign's choice of who may be reached, for its estimates and checks."""
        self.ensure_one()
        return self.env["sms.sms"].with_context(
            intellipush_existing_customers=self.intellipush_legal_basis == "consent_existing"
        )

    def action_send_sms(self, res_ids=None):
        # The composer's consent check and the SMS it creates follow the
        # campaign's choice of who may be reached.
        allowing = self.filtered(lambda mailing: mailing.intellipush_legal_basis == "consent_existing")
        if allowing:
            super(MailingMailing, allowing.with_context(intellipush_existing_customers=True)).action_send_sms(res_ids)
        if self - allowing:
            super(MailingMailing, self - allowing).action_send_sms(res_ids)
        return True

    @api.depends("mailing_trace_ids")
    def _compute_intellipush_reached_by_basis(self):
        # A trace without a basis went before bases were recorded, when
        # consent was the only one: it counts as reached with consent.
        counts = Counter()
        for mailing, basis, count in self.env["mailing.trace"]._read_group(
            [
                ("mass_mailing_id", "in", [mailing.id for mailing in self if isinstance(mailing.id, int)]),
                ("trace_status", "not in", ("cancel", "error")),
            ],
            ["mass_mailing_id", "intellipush_legal_basis"],
            ["__count"],
        ):
            counts[mailing.id, basis or "consent"] += count
        for mailing in self:
            mailing.intellipush_reached_consent = counts[mailing.id, "consent"]
            mailing.intellipush_reached_existing = counts[mailing.id, "existing_customer"]
