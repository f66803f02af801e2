from . import intellipush_credit_purchase
