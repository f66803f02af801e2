from . import intellipush_campaign_order
