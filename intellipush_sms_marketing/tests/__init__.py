from . import test_campaign_clicks
from . import test_campaign_cost
from . import test_campaign_provider_links
from . import test_campaign_resume
from . import test_consent_lists
from . import test_mailing_list_recipients
from . import test_hostile_routes
from . import test_segmentation
