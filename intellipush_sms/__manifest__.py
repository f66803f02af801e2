{
    "name": "Intellipush SMS",
    "summary": "Send every Odoo SMS through Intellipush: encoding, delivery reports, inbound messages",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    "application": True,
    "depends": ["sms", "phone_validation", "link_tracker", "account"],
    "external_dependencies": {
        "python": ["requests", "requests_oauthlib", "phonenumbers"],
    },
    "data": [
        "security/intellipush_sms_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/intellipush_credit_data.xml",
        "views/sms_sms_views.xml",
        "views/intellipush_credit_views.xml",
        "wizard/sms_wizard_views.xml",
        "views/intellipush_inbound_sms_views.xml",
        "views/res_config_settings_views.xml",
        "views/intellipush_sms_menus.xml",
    ],
    "demo": [
        "demo/intellipush_sms_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "intellipush_sms/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "_post_init_hook",
    "installable": True,
}
