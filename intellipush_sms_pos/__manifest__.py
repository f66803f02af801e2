{
    "name": "Intellipush SMS: Point of Sale",
    "summary": "SMS in the Point of Sale: mobile number and marketing consent at the counter, receipts by SMS, "
    "quick messages, offline-safe",
    "version": "18.0.1.0.0",
    "category": "Sales/Point of Sale",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    # pos_sms is Odoo's own receipt-by-SMS switch and template, installed by
    # itself with point_of_sale and sms: this addon builds on it.
    "depends": ["point_of_sale", "pos_sms", "intellipush_sms"],
    "data": [
        "security/intellipush_sms_pos_security.xml",
        "security/ir.model.access.csv",
        "data/sms_template_data.xml",
        "views/pos_receipt_templates.xml",
        "views/res_config_settings_views.xml",
        "views/pos_order_views.xml",
        "views/intellipush_pos_sms_views.xml",
        "views/intellipush_consent_log_views.xml",
    ],
    "demo": [
        "demo/intellipush_sms_pos_demo.xml",
    ],
    "assets": {
        "point_of_sale._assets_pos": [
            "intellipush_sms/static/src/sms_encoding.js",
            "intellipush_sms_pos/static/src/**/*",
        ],
        "web.assets_tests": [
            "intellipush_sms_pos/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "_post_init_hook",
    "auto_install": True,
    "installable": True,
}
