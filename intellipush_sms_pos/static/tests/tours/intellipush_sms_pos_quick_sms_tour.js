import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as QuickSms from "@intellipush_sms_pos/../tests/tours/utils/quick_sms_util";

// A cashier tells Kari that her bicycle is repaired: the shop's template is
// filled in for her, she rewrites it, the counter and the cost follow the
// text (a dash makes it Unicode), a long text asks to confirm its cost,
// and the SMS goes.
registry.category("web_tour.tours").add("intellipush_sms_pos_quick_sms_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            QuickSms.openQuickSmsFor("Kari Nordmann"),
            {
                content: "The SMS goes to her mobile number",
                trigger: ".modal .o_intellipush_quick_sms_number:contains(+47 412 34 567)",
            },
            {
                content: "The shop's template is filled in for her",
                trigger: ".modal .o_intellipush_quick_sms_body",
                run() {
                    if (!this.anchor.value.startsWith("Hei Kari! Bestillingen din er klar til henting")) {
                        throw new Error(`Unexpected text: ${this.anchor.value}`);
                    }
                },
            },
            {
                content: "Plain text: GSM-7 in one segment",
                trigger: ".modal .o_intellipush_counter:contains(GSM-7):contains(1 segment(s))",
            },
            {
                content: "What it costs",
                trigger: ".modal .o_intellipush_quick_sms_estimate:contains(1 SMS, GSM-7, 1 segment(s) each)",
            },
            QuickSms.writeMessage("Sykkelen er klar. ".repeat(30)),
            {
                content: "A long SMS shows its cost and waits for a yes",
                trigger:
                    ".modal .o_intellipush_quick_sms_warning:contains(1 SMS of 4 segment(s) each):has(.o_intellipush_quick_sms_confirm:not(:checked))",
            },
            {
                content: "Send waits for the yes",
                trigger: ".modal .o_intellipush_quick_sms_send:disabled",
            },
            {
                content: "Say yes",
                trigger: ".modal .o_intellipush_quick_sms_confirm",
                run: "click",
            },
            {
                content: "Then it could go",
                trigger: ".modal .o_intellipush_quick_sms_send:enabled",
            },
            {
                content: "Write her a text of one's own",
                trigger: ".modal .o_intellipush_quick_sms_body",
                run: "edit Hei Kari! Sykkelen din er ferdig reparert \u2013 hentes i dag?",
            },
            {
                content: "The dash makes it Unicode, and the counter names it",
                trigger: ".modal .o_intellipush_counter:contains(UCS-2) .o_intellipush_forcing:contains(\u2013)",
            },
            {
                content: "The cost follows the text",
                trigger: ".modal .o_intellipush_quick_sms_estimate:contains(1 SMS, UCS-2, 1 segment(s) each)",
            },
            {
                content: "A short SMS asks nothing",
                trigger: ".modal:not(:has(.o_intellipush_quick_sms_warning))",
            },
            QuickSms.send(),
            {
                content: "The cashier sees it went",
                trigger: ".o_notification:contains(SMS to Kari Nordmann sent)",
            },
            {
                content: "The dialog is closed",
                trigger: "body:not(:has(.modal .o_intellipush_quick_sms))",
            },
        ].flat(),
});
