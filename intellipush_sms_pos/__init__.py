from . import controllers
from . import models


def _post_init_hook(env):
    """Shops on Odoo's English SMS receipt text, or on none, get the Norwegian one."""
    odoo_default = env.ref("pos_sms.sms_template_data_point_of_sale", raise_if_not_found=False)
    configs = (
        env["pos.config"]
        .with_context(active_test=False)
        .search([("sms_receipt_template_id", "in", [False, *(odoo_default.ids if odoo_default else [])])])
    )
    configs.sms_receipt_template_id = env.ref("intellipush_sms_pos.sms_template_pos_receipt")
