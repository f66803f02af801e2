from . import controllers
from . import models
from . import report
from . import wizard


def _post_init_hook(env):
    """Fill the segmentation figures of the contacts and orders that exist
    already, instead of leaving them at zero until the nightly refresh."""
    env["res.partner"]._cron_intellipush_refresh_segments()
