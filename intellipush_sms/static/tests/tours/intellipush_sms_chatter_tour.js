/** @odoo-module */

import { registry } from "@web/core/registry";

// A shop clerk opens a customer, clicks "SMS" beside the mobile number,
// writes a message and sends it. The Python side checks Intellipush got it.
registry.category("web_tour.tours").add("intellipush_sms_chatter_tour", {
    steps: () => [
        {
            content: "Focus the customer's mobile number: the SMS link shows",
            trigger: ".o_field_widget[name=mobile] input",
            run: "click",
        },
        {
            content: "Click SMS beside the customer's mobile number",
            trigger: ".o_field_widget[name=mobile] .o_field_phone_sms",
            run: "click",
        },
        {
            content: "Write the message",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Hei Kari! Pakken din er klar for henting.",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send_sms]:visible",
            run: "click",
        },
        {
            content: "The composer closes and the SMS shows in the chatter",
            trigger: "body:not(:has(.modal)) .o-mail-Message:contains(Pakken din er klar)",
        },
    ],
});
