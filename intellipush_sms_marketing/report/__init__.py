from . import intellipush_campaign_order
from . import intellipush_campaign_report
