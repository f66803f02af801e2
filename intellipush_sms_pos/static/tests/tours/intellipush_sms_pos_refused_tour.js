import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as QuickSms from "@intellipush_sms_pos/../tests/tours/utils/quick_sms_util";

// Kari has opted out of all SMS: the cashier's message to her is refused,
// and the register says so and why instead of "sent".
registry.category("web_tour.tours").add("intellipush_sms_pos_refused_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            QuickSms.openQuickSmsFor("Kari Nordmann"),
            {
                content: "The cost line already says nobody gets it",
                trigger: ".modal .o_intellipush_quick_sms_estimate:contains(Blacklisted)",
            },
            QuickSms.send("Send it anyway"),
            {
                content: "The cashier learns it did not go, and why",
                trigger: ".o_notification:contains(SMS to Kari Nordmann not sent: This number opted out)",
            },
            {
                content: "No word of it having been sent",
                trigger: "body:not(:has(.o_notification:contains(SMS to Kari Nordmann sent)))",
            },
        ].flat(),
});
