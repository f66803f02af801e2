/** @odoo-module */

import { registry } from "@web/core/registry";

// A clerk writes to a customer from the contact form and watches the counter:
// plain text is GSM-7 in one segment, a curly apostrophe forces Unicode until
// the look-alikes are replaced, and an emoji makes the text Unicode in two
// segments. Then the SMS goes; the Python side checks what Intellipush got.
registry.category("web_tour.tours").add("intellipush_sms_counter_tour", {
    steps: () => [
        {
            content: "Focus the customer's mobile number: the SMS link shows",
            trigger: ".o_field_widget[name=mobile] input",
            run: "click",
        },
        {
            content: "Open the SMS composer",
            trigger: ".o_field_widget[name=mobile] .o_field_phone_sms",
            run: "click",
        },
        {
            content: "Write plain text",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Hei Kari! Pakken din er klar for henting.",
        },
        {
            content: "GSM-7, one segment",
            trigger: ".modal .o_intellipush_encoding:contains(GSM-7)",
        },
        {
            content: "One segment with room left",
            trigger: ".modal .o_intellipush_segments:contains(1 segment)",
        },
        {
            content: "A typographic apostrophe",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Hei Kari! Pakken din er klar. Den ligger i butikken\u2019s lager.",
        },
        {
            content: "The counter names it and offers to replace it",
            trigger: ".modal .o_intellipush_forcing:contains(\u2019) .o_intellipush_replace",
            run: "click",
        },
        {
            content: "Back to GSM-7",
            trigger: ".modal .o_intellipush_encoding:contains(GSM-7)",
        },
        {
            content: "Write a longer text",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Hei Kari! Pakken din er klar for henting i butikken vår på Torget fra i dag",
        },
        {
            content: "Still GSM-7 in one segment",
            trigger: ".modal .o_intellipush_counter:contains(GSM-7):contains(1 segment)",
        },
        {
            content: "The estimated credits follow the typing",
            trigger: ".modal .o_field_widget[name=intellipush_cost_summary]:contains(1 SMS, GSM-7, 1 segment(s))",
        },
        {
            content: "Open the emoji picker",
            trigger: ".modal .o_field_widget[name=body] .o_mail_emojis_buttons button",
            run: "click",
        },
        {
            content: "Look for a gift",
            trigger: ".o-EmojiPicker-search input",
            run: "edit gift",
        },
        {
            content: "Add it",
            trigger: ".o-EmojiPicker .o-Emoji[data-codepoints='🎁']",
            run: "click",
        },
        {
            content: "The emoji makes it Unicode",
            trigger: ".modal .o_intellipush_encoding:contains(UCS-2)",
        },
        {
            content: "Two segments now",
            trigger: ".modal .o_intellipush_segments:contains(2 segment)",
        },
        {
            content: "The estimated credits follow",
            trigger: ".modal .o_field_widget[name=intellipush_cost_summary]:contains(UCS-2, 2 segment(s))",
        },
        {
            content: "The counter names the emoji",
            trigger: ".modal .o_intellipush_forcing:contains(🎁)",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send_sms]:visible",
            run: "click",
        },
        {
            content: "The composer closes and the SMS shows in the chatter",
            trigger: "body:not(:has(.modal)) .o-mail-Message:contains(fra i dag)",
        },
    ],
});
