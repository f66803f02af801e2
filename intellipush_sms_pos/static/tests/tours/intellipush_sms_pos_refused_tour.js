import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";

// Kari has opted out of all SMS: the cashier's message to her is refused,
// and the register says so and why instead of "sent".
registry.category("web_tour.tours").add("intellipush_sms_pos_refused_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Kari Nordmann"),
            ProductScreen.clickControlButton("Send SMS"),
            {
                content: "The cost line already says nobody gets it",
                trigger: ".modal .o_intellipush_quick_sms_estimate:contains(Blacklisted)",
            },
            {
                content: "Send it anyway",
                trigger: ".modal .o_intellipush_quick_sms_send:enabled",
                run: "click",
            },
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
