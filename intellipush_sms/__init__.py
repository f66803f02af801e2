from . import controllers
from . import models
from . import wizard


def _post_init_hook(env):
    """Give SMS created before the install a company, so the gateway can route them."""
    env.cr.execute(
        """
        UPDATE sms_sms sms
           SET company_id = %s
         WHERE sms.company_id IS NULL
        """,
        [env.ref("base.main_company").id],
    )
