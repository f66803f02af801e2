{
    "name": "Intellipush SMS: Shipping Updates",
    "summary": "SMS to the customer when the order is packed and when it is shipped, with the tracking link",
    "version": "18.0.1.0.0",
    "category": "Marketing/SMS",
    "website": "https://github.com/intellipush-odoo/intellipush-odoo",
    "author": "Intellipush Odoo team",
    "maintainers": ["intellipush-odoo"],
    "license": "LGPL-3",
    "depends": ["intellipush_sms", "sale_stock"],
    "data": [
        "data/sms_template_data.xml",
        "views/res_config_settings_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": [
        "demo/intellipush_sms_stock_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
