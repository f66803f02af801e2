from . import test_consent
from . import test_hostile_routes
from . import test_quick_sms
from . import test_receipt_sms
from . import test_ui
from . import test_legal_basis
