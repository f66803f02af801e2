from . import test_shipping_sms
