import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { browser } from "@web/core/browser/browser";
import { serializeDateTime } from "@web/core/l10n/dates";
import { ConnectionLostError } from "@web/core/network/rpc";
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { uuidv4 } from "@point_of_sale/utils";

const { DateTime } = luxon;

/** Whether the server settled a quick SMS without sending it (no valid number, refused by the rules). */
export function isQuickSmsRefused(outcome) {
    return ["error", "canceled"].includes(outcome.state);
}

/** Whether the server could not handle a quick SMS now: the register keeps it, sends it again. */
export function isQuickSmsKept(outcome) {
    return outcome.state === "retry";
}

/** Whether the order carries a receipt SMS request the server has not handled yet. */
export function hasPendingReceiptSms(order) {
    const number = order.intellipush_receipt_sms_number;
    return Boolean(number) && number !== order.intellipush_receipt_sms_sent_number;
}

patch(PosStore.prototype, {
    async setup() {
        // Receipt requests that waited for the connection: announced once they went.
        this.intellipushAwaitedReceipts = new Set();
        // Quick SMS whose sender awaits the server's answer: uuid -> answer (null until it comes).
        this.intellipushQuickSmsOutcomes = new Map();
        await super.setup(...arguments);
        browser.addEventListener("online", () => this.intellipushFlushQuickSms());
    },

    /** The POS employee at the register when the shop logs employees in (pos_hr). */
    intellipushEmployeeId() {
        const cashier = this.get_cashier();
        return cashier?.model?.modelName === "hr.employee" ? cashier.id : false;
    },

    editPartnerContext(partner) {
        // A consent changed in the customer form opened from the register is
        // logged as given at the point of sale, with the shop and employee.
        return {
            ...super.editPartnerContext(...arguments),
            intellipush_pos_config_id: this.config.id,
            intellipush_pos_employee_id: this.intellipushEmployeeId(),
        };
    },

    // --------------------------------------------------------------
    // Receipt SMS: the request travels with the order
    // --------------------------------------------------------------

    /**
     * Ask for the receipt of `order` by SMS to `number`. The request is a
     * field of the order: an order still to be synced takes it along, a
     * synced one is synced again for it; the server sends each request once.
     *
     * @returns {Promise<boolean>} whether the server has handled it now
     */
    async intellipushRequestReceiptSms(order, number) {
        order.update({ intellipush_receipt_sms_number: number });
        this.addPendingOrder([order.id]);
        await this.syncAllOrders();
        const handled = !hasPendingReceiptSms(order);
        if (!handled) {
            this.intellipushAwaitedReceipts.add(order.uuid);
        }
        return handled;
    },

    async afterProcessServerData() {
        // Synced orders whose receipt SMS was asked for offline were kept on
        // the register (see data_service_options.js): sync them again.
        const pending = this.models["pos.order"].filter(
            (order) => typeof order.id === "number" && hasPendingReceiptSms(order)
        );
        if (pending.length) {
            this.addPendingOrder(pending.map((order) => order.id));
        }
        await super.afterProcessServerData(...arguments);
        this.intellipushFlushQuickSms();
    },

    postSyncAllOrders(orders) {
        super.postSyncAllOrders(...arguments);
        for (const order of orders) {
            if (this.intellipushAwaitedReceipts.has(order.uuid) && !hasPendingReceiptSms(order)) {
                this.intellipushAwaitedReceipts.delete(order.uuid);
                this.notification.add(
                    _t("Receipt sent by SMS to %s.", order.intellipush_receipt_sms_number),
                    { type: "success" }
                );
            }
        }
        this.intellipushFlushQuickSms();
    },

    // --------------------------------------------------------------
    // Quick SMS: kept on the register until the server has them
    // --------------------------------------------------------------

    get intellipushQuickSmsKey() {
        return `intellipush_sms_pos.quick_sms.${this.config.id}`;
    },

    intellipushPendingQuickSms() {
        return JSON.parse(browser.localStorage.getItem(this.intellipushQuickSmsKey) || "[]");
    },

    /**
     * Send a message to a customer: it gets an id (uuid) and is stored on the
     * register before it is sent, so that an offline register sends it later
     * and a message sent twice (an answer lost on the way) goes once.
     *
     * @param {{partner_id: number, template_id: number|false, body: string|false}} message
     * @returns {Promise<{state: string, reason: string|false}|null>} what the
     *     server made of it (state "retry": kept on the register, see
     *     isQuickSmsKept), or null while it waits for the connection
     */
    async intellipushSendQuickSms(message) {
        const request = {
            ...message,
            uuid: uuidv4(),
            config_id: this.config.id,
            employee_id: this.intellipushEmployeeId(),
            requested_at: serializeDateTime(DateTime.now()),
        };
        browser.localStorage.setItem(
            this.intellipushQuickSmsKey,
            JSON.stringify([...this.intellipushPendingQuickSms(), request])
        );
        // Awaited here: whichever flush hands it over leaves the answer for this call.
        this.intellipushQuickSmsOutcomes.set(request.uuid, null);
        try {
            await this.intellipushFlushQuickSms();
            return this.intellipushQuickSmsOutcomes.get(request.uuid);
        } finally {
            this.intellipushQuickSmsOutcomes.delete(request.uuid);
        }
    },

    /** Tell the cashier that a message to `partnerName` did not go, and why. */
    intellipushNotifyQuickSmsRefused(partnerName, outcome) {
        this.notification.add(
            _t("SMS to %(name)s not sent: %(reason)s", { name: partnerName, reason: outcome.reason || "" }),
            { type: "danger" }
        );
    },

    /** Hand the kept messages to the server, one flush after the other. */
    intellipushFlushQuickSms() {
        const flush = () => this._intellipushFlushQuickSmsOnce();
        this._intellipushFlush = (this._intellipushFlush || Promise.resolve()).then(flush, flush);
        return this._intellipushFlush;
    },

    async _intellipushFlushQuickSmsOnce() {
        const pending = this.intellipushPendingQuickSms();
        if (!pending.length) {
            return;
        }
        let results;
        try {
            results = await this.data.call(
                "intellipush.pos.sms",
                "intellipush_create_from_ui",
                [pending],
                {},
                false
            );
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                return; // kept for the next time the register is online
            }
            throw error;
        }
        // Each message has its own answer: the settled ones are forgotten, those
        // the server could not handle now stay and go with the next flush.
        const settled = new Set(
            results.filter((result) => !isQuickSmsKept(result)).map((result) => result.uuid)
        );
        browser.localStorage.setItem(
            this.intellipushQuickSmsKey,
            JSON.stringify(this.intellipushPendingQuickSms().filter((p) => !settled.has(p.uuid)))
        );
        // Messages kept while offline are announced here once settled, the others by their sender.
        const offlineOutcomes = [];
        for (const result of results) {
            if (this.intellipushQuickSmsOutcomes.has(result.uuid)) {
                this.intellipushQuickSmsOutcomes.set(result.uuid, result);
            } else if (settled.has(result.uuid)) {
                offlineOutcomes.push(result);
            }
        }
        const refused = offlineOutcomes.filter(isQuickSmsRefused);
        const sent = offlineOutcomes.length - refused.length;
        if (sent) {
            this.notification.add(_t("SMS kept while offline sent: %s.", sent), {
                type: "success",
            });
        }
        for (const outcome of refused) {
            const partnerId = pending.find((request) => request.uuid === outcome.uuid)?.partner_id;
            this.intellipushNotifyQuickSmsRefused(this.models["res.partner"].get(partnerId)?.name || "", outcome);
        }
    },
});
