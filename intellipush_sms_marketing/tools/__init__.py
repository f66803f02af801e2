# Plain-Python helpers of the SMS Marketing bridge: nothing here imports Odoo.
