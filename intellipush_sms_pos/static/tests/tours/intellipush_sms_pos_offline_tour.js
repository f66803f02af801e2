import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as QuickSms from "@intellipush_sms_pos/../tests/tours/utils/quick_sms_util";

function setOnline(online) {
    return {
        content: online ? "The connection comes back" : "The connection drops",
        trigger: "body",
        run() {
            window.dispatchEvent(new Event(online ? "online" : "offline"));
        },
    };
}

// The register loses its connection after a sale: the cashier still sends
// Kari her receipt and a quick SMS. Both wait on the register and go when it
// is back online; the Python side checks that each went once.
registry.category("web_tour.tours").add("intellipush_sms_pos_offline_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Kari Nordmann"),
            ProductScreen.addOrderline("Sykkellykt", "1"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.receiptIsThere(),
            setOnline(false),
            {
                content: "Send the receipt by SMS while offline",
                trigger: ".receipt-screen .o_intellipush_send_receipt_sms:enabled",
                run: "click",
            },
            {
                content: "The receipt waits for the connection",
                trigger: ".receipt-screen .o_intellipush_receipt_sms_queued:contains(+47 412 34 567)",
            },
            ReceiptScreen.clickNextOrder(),
            QuickSms.openQuickSmsFor("Kari Nordmann"),
            {
                content: "The dialog says the register is offline",
                trigger: ".modal .o_intellipush_quick_sms:contains(Offline)",
            },
            QuickSms.writeMessage("Hei Kari! Sykkelen din er klar til henting."),
            {
                content: "The counter works offline too",
                trigger: ".modal .o_intellipush_counter:contains(GSM-7):contains(1 segment(s))",
            },
            QuickSms.send(),
            {
                content: "It waits for the connection",
                trigger: ".o_notification:contains(goes when it is back online)",
            },
            setOnline(true),
            {
                content: "The receipt went",
                trigger: ".o_notification:contains(Receipt sent by SMS to +47 412 34 567)",
            },
            {
                content: "The quick SMS went",
                trigger: ".o_notification:contains(SMS kept while offline sent: 1)",
            },
        ].flat(),
});
