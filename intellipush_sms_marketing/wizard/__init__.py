from . import sms_composer
from . import mailing_sms_test
