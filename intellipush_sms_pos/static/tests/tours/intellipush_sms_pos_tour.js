import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PartnerList from "@point_of_sale/../tests/tours/utils/partner_list_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";

// A cashier records Kari's mobile number and her consent to SMS offers at the
// counter, sells her a bicycle lamp and sends her the receipt by SMS. The
// Python side checks the consent log and what Intellipush received.
registry.category("web_tour.tours").add("intellipush_sms_pos_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            PartnerList.clickPartnerOptions("Kari Nordmann"),
            {
                content: "Open her mobile number and SMS consent",
                trigger: ".o-dropdown-item.o_intellipush_edit_sms",
                run: "click",
            },
            {
                content: "Type her mobile number without the country prefix",
                trigger: ".modal .o_intellipush_mobile_input",
                run: "edit 4123",
            },
            {
                content: "Too short: the number is refused as it is typed",
                trigger: ".modal .o_intellipush_mobile_invalid:contains(too few digits)",
            },
            {
                content: "Finish the number",
                trigger: ".modal .o_intellipush_mobile_input",
                run: "edit 412 34 567",
            },
            {
                content: "Checked for the shop's country and formatted",
                trigger: ".modal .o_intellipush_mobile_valid:contains(+47 412 34 567)",
            },
            {
                content: "She wants offers by SMS",
                trigger: ".modal .o_intellipush_consent_toggle",
                run: "click",
            },
            {
                content: "The consent will be recorded with the shop",
                trigger: ".modal .o_intellipush_consent_help:contains(Shop)",
            },
            {
                content: "Save",
                trigger: ".modal .o_intellipush_save:enabled",
                run: "click",
            },
            {
                content: "The customer list shows her consent",
                trigger: ".partner-info:contains(Kari Nordmann) .o_intellipush_consent_badge",
            },
            ProductScreen.clickCustomer("Kari Nordmann"),
            ProductScreen.customerIsSelected("Kari Nordmann"),
            ProductScreen.addOrderline("Sykkellykt", "1"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.receiptIsThere(),
            {
                content: "Her mobile number is ready to send the receipt to",
                trigger: ".receipt-screen .send-receipt-phone-input",
                run() {
                    if (this.anchor.value !== "+47 412 34 567") {
                        throw new Error(`Unexpected number: ${this.anchor.value}`);
                    }
                },
            },
            {
                content: "Send the receipt by SMS",
                trigger: ".receipt-screen .o_intellipush_send_receipt_sms:enabled",
                run: "click",
            },
            {
                content: "The receipt went by SMS",
                trigger: ".receipt-screen .o_intellipush_receipt_sms_sent:contains(+47 412 34 567)",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
