from . import test_credit_wallet
from . import test_delivery_status
from . import test_dispatch_transactions
from . import test_gateway
from . import test_gateway_faults
from . import test_inbound
from . import test_settings
from . import test_ui
