import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";

/** The cashier picks ``customer`` and opens the quick SMS dialog. */
export function openQuickSmsFor(customer) {
    // Odoo's helpers return lists of steps: flattened here, so a tour flattens one level as usual.
    return [
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer(customer),
        ProductScreen.clickControlButton("Send SMS"),
    ].flat();
}

/** The cashier writes ``text`` in the quick SMS dialog. */
export function writeMessage(text) {
    return {
        content: "Write the message",
        trigger: ".modal .o_intellipush_quick_sms_body",
        run: `edit ${text}`,
    };
}

/** The cashier presses Send in the quick SMS dialog. */
export function send(content = "Send it") {
    return {
        content,
        trigger: ".modal .o_intellipush_quick_sms_send:enabled",
        run: "click",
    };
}
