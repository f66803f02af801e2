import { useState } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";
import { ReceiptScreen } from "@point_of_sale/app/screens/receipt_screen/receipt_screen";
import { useMobileCheck } from "@intellipush_sms_pos/app/mobile_check";
import { hasPendingReceiptSms } from "@intellipush_sms_pos/overrides/pos_store";

/**
 * "Send receipt by SMS" (Odoo's pos_sms button, when the shop has SMS
 * receipts): the number is checked as it is typed, and the request travels
 * with the order, so that an offline register sends it when it reconnects.
 */
patch(ReceiptScreen.prototype, {
    setup() {
        super.setup(...arguments);
        this.intellipushPhoneCheck = useMobileCheck(() => this.state.phone);
        this.intellipushReceipt = useState({ sending: false });
    },
    /** Follows the order: "queued" turns "sent" once the register is back online. */
    get intellipushReceiptStatus() {
        const order = this.currentOrder;
        if (this.intellipushReceipt.sending) {
            return "sending";
        }
        if (!order?.intellipush_receipt_sms_number) {
            return null;
        }
        return hasPendingReceiptSms(order) ? "queued" : "sent";
    },
    get isValidPhone() {
        const check = this.intellipushPhoneCheck;
        return !check.checking && check.number === (this.state.phone || "").trim() && check.valid;
    },
    async actionSendReceiptOnSMS() {
        this.intellipushReceipt.sending = true;
        try {
            await this.pos.intellipushRequestReceiptSms(this.currentOrder, this.state.phone.trim());
        } finally {
            this.intellipushReceipt.sending = false;
        }
    },
});
