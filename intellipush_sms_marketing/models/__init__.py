from . import account_move
from . import intellipush_sms_segment
from . import intellipush_sms_send
from . import mailing_mailing
from . import res_partner
from . import sale_order
