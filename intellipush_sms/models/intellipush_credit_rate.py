from collections import namedtuple
from functools import lru_cache

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.credits import ZERO, message_cost
from ..tools.phone_display import number_problem
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from ..tools.sms_encoding import analyze
from .intellipush_credit_ledger import CREDIT_DIGITS

# One priced message: ``cost`` is None when it cannot be sent (see ``problem``).
Quote = namedtuple("Quote", "e164 country segments cost problem")

# A campaign's numbers are parsed by the policy, the reservation and the
# dispatch in turn: each number once, as long as one chunk of them (parsing
# is most of what pricing a message costs). Invalid numbers raise, uncached.
# ``mobile_only`` is part of the key (the policy identifies numbers without
# it, the price and the dispatch send with it): two entries a number, always
# passed by keyword so that the calls share them.
normalize_cached = lru_cache(maxsize=16384)(normalize)
# Longer than this, an SMS asks for a confirmation of its cost before it goes.
LONG_SMS_SEGMENTS = 3


class IntellipushCreditRate(models.Model):
    """How many SMS one credit buys, per destination country.

    The row without a country is the default for countries not listed.
    A disabled row (or no default) blocks sending to that destination.
    """

    _name = "intellipush.credit.rate"
    _description = "SMS Credit Rate"
    _order = "is_default, country_id"
    _rec_name = "country_id"

    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: the rate applies to every company that has no rate of its own.",
    )
    country_id = fields.Many2one("res.country", string="Destination")
    phone_code = fields.Integer(related="country_id.phone_code", string="Prefix")
    is_default = fields.Boolean(
        "Other Countries",
        compute="_compute_is_default",
        store=True,
        help="Applies to destinations without a rate of their own.",
    )
    sms_per_credit = fields.Float("SMS per Credit", digits=CREDIT_DIGITS, required=True, default=1.0)
    credits_per_sms = fields.Float(
        "Credits per SMS",
        digits=CREDIT_DIGITS,
        compute="_compute_credits_per_sms",
        help="Cost of one segment, rounded up.",
    )
    enabled = fields.Boolean(default=True, help="Disabled: SMS to this destination are refused.")

    _sql_constraints = [
        ("sms_per_credit_positive", "CHECK(sms_per_credit > 0)", "SMS per credit must be positive."),
    ]

    @api.depends("country_id")
    def _compute_is_default(self):
        for rate in self:
            rate.is_default = not rate.country_id

    @api.depends("sms_per_credit")
    def _compute_credits_per_sms(self):
        for rate in self:
            rate.credits_per_sms = float(message_cost(1, rate.sms_per_credit)) if rate.sms_per_credit > 0 else 0.0

    @api.constrains("company_id", "country_id")
    def _check_unique_destination(self):
        for rate in self:
            duplicates = self.search_count(
                [
                    ("id", "!=", rate.id),
                    ("company_id", "=", rate.company_id.id),
                    ("country_id", "=", rate.country_id.id),
                ]
            )
            if duplicates:
                raise ValidationError(
                    _("There is already a rate for %s.", rate.country_id.name or _("other countries"))
                )

    @api.model
    def _rates_for(self, company, countries):
        """{country: rate record or None} for ``countries``, in one query.

        A company's own rate wins over a shared one; a country without a rate
        falls back on the default row. None means "blocked".
        """
        rates = self.sudo().search(
            [
                ("company_id", "in", [company.id, False]),
                "|",
                ("country_id", "in", countries.ids),
                ("country_id", "=", False),
            ]
        )
        # Shared rates first, so that the company's own overwrite them.
        by_country = {}
        for rate in rates.sorted(lambda rate: bool(rate.company_id)):
            by_country[rate.country_id] = rate
        default = by_country.get(self.env["res.country"])
        result = {}
        for country in countries:
            rate = by_country.get(country, default)
            result[country] = rate if rate and rate.enabled else None
        return result

    @api.model
    def _quote(self, company, messages):
        """Stage price of the gateway: price ``[(number, segments)]`` for
        ``company``, one :class:`Quote` each, in one pass.

        Segments as counted on the text that goes (``sms.sms.sms_segments``);
        numbers normalised with the company's default region, landlines refused
        unless the company allows them; rates looked up once for all
        destinations, and each price computed once per distinct destination
        and segment count.
        """
        region, mobile_only = company._intellipush_phone_region(), company._intellipush_mobile_only()
        parsed = []
        for number, segments in messages:
            try:
                parsed.append((normalize_cached(number, region, mobile_only=mobile_only), segments, None))
            except InvalidPhoneNumber as error:
                parsed.append((None, segments, number_problem(self.env, error)))
        codes = {phone.region for phone, _segments, _problem in parsed if phone and phone.region}
        countries = self.env["res.country"].sudo().search([("code", "in", list(codes))])
        country_by_code = {country.code: country for country in countries}
        rates = self._rates_for(company, countries)
        no_country = self.env["res.country"]
        cost_by_price = {}
        quotes = []
        for phone, segments, problem in parsed:
            if not phone:
                quotes.append(Quote(None, None, segments, None, problem))
                continue
            country = country_by_code.get(phone.region, no_country)
            rate = rates.get(country) if country else None
            if rate is None:
                blocked = _("Sending SMS to %s is not enabled in the SMS credit rates.", country.name or phone.e164)
                quotes.append(Quote(phone.e164, country, segments, None, blocked))
                continue
            if (country, segments) not in cost_by_price:
                cost_by_price[country, segments] = message_cost(segments, rate.sms_per_credit)
            quotes.append(Quote(phone.e164, country, segments, cost_by_price[country, segments], None))
        return quotes

    @api.model
    def _cost_summary(self, numbers, text):
        """The cost line of the current company's wallet, or False where it does not apply."""
        company = self.env.company
        if company.sms_provider != "intellipush" or not numbers:
            return False
        return self._describe_cost(company, numbers, text)

    @api.model
    def _describe_cost(self, company, numbers, text):
        """One line for people about to send ``text`` to ``numbers``: what it costs and what is left."""
        wallet = self.env["intellipush.credit.wallet"]._for_company(company)
        analysis = analyze(text or "")
        quotes = self._quote(company, [(number, analysis.segments) for number in numbers])
        priced = [quote for quote in quotes if quote.cost is not None]
        parts = [
            _(
                "%(count)s SMS, %(encoding)s, %(segments)s segment(s) each: "
                "about %(cost)s credits (%(available)s available)",
                count=len(priced),
                encoding=analysis.encoding,
                segments=analysis.segments,
                cost=wallet._format_credits(sum((quote.cost for quote in priced), ZERO)),
                available=wallet._format_credits(wallet._available()),
            )
        ]
        if blocked := sum(1 for quote in quotes if quote.cost is None and quote.e164):
            parts.append(_("%s to destinations not enabled", blocked))
        if invalid := sum(1 for quote in quotes if not quote.e164):
            parts.append(_("%s invalid number(s)", invalid))
        return "; ".join(parts)

    @api.model
    def _cost_warning(self, company, numbers, text):
        """Why sending ``text`` to ``numbers`` asks the sender to confirm its
        cost first (an SMS longer than three segments, or a total above the
        company's threshold), or False. Every way of sending by hand asks it."""
        if not company._intellipush_active() or not numbers or not (text or "").strip():
            return False
        segments = analyze(text).segments
        quotes = self._quote(company, [(number, segments) for number in numbers])
        total = sum((quote.cost for quote in quotes if quote.cost is not None), ZERO)
        threshold = company.intellipush_confirm_above
        if segments <= LONG_SMS_SEGMENTS and not (threshold and total > threshold):
            return False
        return _(
            "%(count)s SMS of %(segments)s segment(s) each, about %(cost)s credits in all.",
            count=len(numbers),
            segments=segments,
            cost=self.env["intellipush.credit.wallet"]._format_credits(total),
        )
