{
    "name": "Intellipush SMS: SMS Marketing and Point of Sale",
    "summary": "POS orders of customers who clicked an SMS campaign's link count as the campaign's revenue",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    "depends": ["intellipush_sms_marketing", "intellipush_sms_pos"],
    "auto_install": True,
    "installable": True,
}
