from . import intellipush_consent_log
from . import intellipush_pos_sms
from . import pos_config
from . import pos_order
from . import pos_session
from . import res_config_settings
from . import res_partner
from . import sms_template
