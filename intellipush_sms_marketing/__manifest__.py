{
    "name": "Intellipush SMS: SMS Marketing",
    "summary": "SMS Marketing through Intellipush: segmentation, consent, per-recipient links, results, Excel export",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    "depends": ["intellipush_sms", "mass_mailing_sms"],
    "data": [
        "security/intellipush_sms_marketing_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/intellipush_sms_send_views.xml",
        "views/mailing_mailing_views.xml",
        "views/mailing_list_views.xml",
        "report/intellipush_campaign_report_views.xml",
    ],
    "demo": [
        "demo/intellipush_sms_marketing_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "intellipush_sms_marketing/static/tests/tours/**/*",
        ],
    },
    "external_dependencies": {"python": ["xlsxwriter"]},
    "post_init_hook": "_post_init_hook",
    "auto_install": True,
    "installable": True,
}
