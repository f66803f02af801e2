from . import intellipush_campaign_report
