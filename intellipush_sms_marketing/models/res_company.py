from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_ATTRIBUTION_DAYS = 7


class ResCompany(models.Model):
    _inherit = "res.company"

    intellipush_link_backend = fields.Selection(
        [
            ("odoo", "Odoo's link tracker on your domain"),
            ("intellipush", "Intellipush short links"),
        ],
        string="Campaign Links",
        default="odoo",
        required=True,
        help="Who shortens the links of SMS campaigns, one per recipient. Odoo's link tracker answers on "
        "your own domain and counts a click at once; Intellipush's links are shorter when your domain is "
        "long, and their visits are brought in every quarter of an hour.",
    )
    # A campaign that goes wrong stops itself (mailing_mailing_auto_pause.py).
    intellipush_auto_pause = fields.Boolean(
        "Pause Campaigns That Go Wrong",
        default=True,
        help="A campaign whose opt-out or failure rate passes its threshold while it is being sent pauses "
        "itself: what is left to send waits, with its credits reserved, until it is resumed or cancelled.",
    )
    intellipush_pause_optout_rate = fields.Float(
        "Opt-out Rate Limit (%)",
        digits=(16, 1),
        default=2.0,
        help="Opt-outs (STOPP replies, consent withdrawn) per SMS sent above which a campaign pauses. 0: never.",
    )
    intellipush_pause_failure_rate = fields.Float(
        "Failure Rate Limit (%)",
        digits=(16, 1),
        default=10.0,
        help="SMS refused or not delivered per SMS handed over above which a campaign pauses. 0: never.",
    )
    intellipush_pause_min_sent = fields.Integer(
        "Judge After",
        default=100,
        help="The rates are judged once this many SMS of the campaign have been handed over: the first "
        "opt-out of a small campaign does not stop it.",
    )

    @api.constrains("intellipush_pause_optout_rate", "intellipush_pause_failure_rate", "intellipush_pause_min_sent")
    def _check_intellipush_auto_pause(self):
        for company in self:
            rates = (company.intellipush_pause_optout_rate, company.intellipush_pause_failure_rate)
            if any(rate < 0 or rate > 100 for rate in rates) or company.intellipush_pause_min_sent < 0:
                raise ValidationError(
                    _("The pause thresholds are percentages from 0 to 100, judged after 0 or more SMS.")
                )

    intellipush_attribution_days = fields.Integer(
        "Revenue Attribution Window (days)",
        default=DEFAULT_ATTRIBUTION_DAYS,
        required=True,
        help="A confirmed sales order or a paid POS order of a customer counts as revenue of an SMS campaign "
        "when it comes at most this many days after the customer clicked the campaign's link: an order "
        "exactly that many days later still counts, one second later no longer does. When several "
        "campaigns were clicked before an order, the last click wins. Visits of bots and link previews "
        "never count.",
    )

    @api.constrains("intellipush_attribution_days")
    def _check_intellipush_attribution_days(self):
        if any(company.intellipush_attribution_days < 1 for company in self):
            raise ValidationError(_("The revenue attribution window of SMS campaigns is at least one day."))
