import secrets
import string

from odoo import api, models

# Short links that open a document without login (an access token behind the
# redirect) get codes nobody can guess: 62^12 possibilities, against Odoo's 3
# characters (about 238,000 codes, the whole space in under an hour).
SECRET_CODE_LENGTH = 12
_CODE_ALPHABET = string.ascii_letters + string.digits


class LinkTracker(models.Model):
    _inherit = "link.tracker"

    @api.model
    def _intellipush_secret_links(self, vals_list):
        """``search_or_create`` for URLs that carry an access token: each
        tracker ends with a single code of SECRET_CODE_LENGTH random characters."""
        trackers = self.sudo().with_context(intellipush_secret_code=True).search_or_create(vals_list)
        trackers._intellipush_strengthen_codes()
        return trackers

    def _intellipush_strengthen_codes(self):
        """Replace any guessable code of these trackers (made before, or by
        Odoo's link tracker) by a secret one: an old short link then leads nowhere."""
        codes = self.env["link.tracker.code"].sudo().search([("link_id", "in", self.ids)])
        weak = codes.filtered(lambda code: len(code.code) < SECRET_CODE_LENGTH)
        if not weak:
            return
        weak_trackers = weak.link_id
        weak.unlink()
        strong_links = set((codes - weak).link_id.ids)
        missing = weak_trackers.filtered(lambda tracker: tracker.id not in strong_links)
        new_codes = (
            self.env["link.tracker.code"]
            .with_context(intellipush_secret_code=True)
            ._get_random_code_strings(len(missing))
        )
        self.env["link.tracker.code"].sudo().create(
            [{"code": code, "link_id": tracker.id} for tracker, code in zip(missing, new_codes, strict=True)]
        )
        self.invalidate_recordset(["code", "short_url"])

    @api.model
    def _intellipush_strengthen_token_links(self):
        """Every tracker whose URL carries an access token (made before this fix)."""
        trackers = self.sudo().search([("url", "like", "access_token=")])
        trackers._intellipush_strengthen_codes()
        return trackers


class LinkTrackerCode(models.Model):
    _inherit = "link.tracker.code"

    @api.model
    def _get_random_code_strings(self, n=1):
        if not self.env.context.get("intellipush_secret_code"):
            return super()._get_random_code_strings(n)
        while True:
            codes = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(SECRET_CODE_LENGTH)) for _ in range(n)]
            if len(set(codes)) == n and not self.search_count([("code", "in", codes)], limit=1):
                return codes
