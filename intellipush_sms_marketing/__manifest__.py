{
    "name": "Intellipush SMS: SMS Marketing",
    "summary": "Odoo's SMS Marketing through Intellipush: mailing lists as recipients of SMS sends",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    "depends": ["intellipush_sms", "mass_mailing_sms"],
    "data": [
        "views/intellipush_sms_send_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
