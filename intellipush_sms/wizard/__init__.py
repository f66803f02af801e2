from . import intellipush_access_code_send
from . import intellipush_access_key_show
from . import intellipush_credit_adjust
from . import intellipush_credit_purchase
from . import sms_composer
from . import sms_template_preview
from . import intellipush_consent_record
from . import intellipush_inbound_reply
