from odoo import models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    def _remove(self, numbers, message=None):
        # A number that opts in again (START, a confirmed join, a manager's
        # unblock) is no longer held back by an earlier erasure.
        records = super()._remove(numbers, message=message)
        self.env["intellipush.suppression"]._lift(numbers)
        return records
