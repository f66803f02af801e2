"""18.0.1.3.0: wallets and lots keep running balances.

A movement used to sum the whole ledger to know what is left; now it moves the
running balances of its wallet and lots. The upgrade has added them at zero:
they start here from the ledger's sums, which stay the truth.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["intellipush.credit.wallet"].search([])._recompute_running_balances()
