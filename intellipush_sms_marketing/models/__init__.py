from . import intellipush_sms_send
