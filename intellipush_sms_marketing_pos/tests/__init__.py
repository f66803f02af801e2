from . import test_campaign_pos_revenue
