from . import intellipush_credit_adjust
from . import intellipush_credit_purchase
from . import sms_composer
from . import sms_template_preview
