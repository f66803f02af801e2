import { Component, onWillStart, useEffect, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { Dialog } from "@web/core/dialog/dialog";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { ConnectionLostError } from "@web/core/network/rpc";
import { usePos } from "@point_of_sale/app/store/pos_hook";
import { SmsCounter } from "@intellipush_sms_pos/app/sms_counter/sms_counter";
import { analyze } from "@intellipush_sms/sms_encoding";
import { isQuickSmsKept, isQuickSmsRefused } from "@intellipush_sms_pos/overrides/pos_store";

// Longer than this, the cashier confirms the cost (LONG_SMS_SEGMENTS on the server).
const LONG_SMS_SEGMENTS = 3;

/**
 * A message to the selected customer from the shop's quick templates, e.g.
 * "your order is ready for pickup": the text filled in for the customer,
 * editable, with the live segment counter and what it costs.
 *
 * A long SMS, or one above the company's threshold, waits for "Send
 * anyway" under its cost.
 *
 * Offline, the message is kept on the register and goes when it is back
 * online; a template's text is then filled in by the server.
 */
export class QuickSmsDialog extends Component {
    static template = "intellipush_sms_pos.QuickSmsDialog";
    static components = { Dialog, SmsCounter };
    static props = { partner: Object, close: Function };

    setup() {
        this.pos = usePos();
        this.notification = useService("notification");
        this.templates = this.pos.config.intellipush_quick_template_ids || [];
        this.state = useState({
            loading: true,
            offline: false,
            number: false,
            reason: false,
            templateId: this.templates[0]?.id || false,
            body: "",
            estimate: "",
            warning: false,
            costConfirmed: false,
            // An estimate is on its way: Send waits for its cost check.
            estimating: false,
        });
        this.bodies = {};
        onWillStart(() => this.prepare());
        const estimate = useDebounced(async (body, templateId) => {
            try {
                const { estimate, warning } = await this.pos.data.call(
                    "intellipush.pos.sms",
                    "intellipush_pos_estimate",
                    [this.pos.config.id, this.props.partner.id, body, templateId],
                    {},
                    false
                );
                Object.assign(this.state, { estimate: estimate || "", warning });
            } catch (error) {
                if (!(error instanceof ConnectionLostError)) {
                    throw error;
                }
                Object.assign(this.state, { estimate: "", warning: this.offlineWarning(body) });
            } finally {
                this.state.estimating = false;
            }
        }, 400);
        useEffect(
            (body, templateId, offline, number) => {
                // A confirmed cost is for the text as it was.
                this.state.costConfirmed = false;
                if (!offline && number && body.trim()) {
                    this.state.estimating = true;
                    estimate(body, templateId);
                } else {
                    Object.assign(this.state, { estimate: "", warning: this.offlineWarning(body) });
                }
            },
            () => [this.state.body, this.state.templateId, this.state.offline, this.state.number]
        );
    }
    async prepare() {
        try {
            const prepared = await this.pos.data.call(
                "intellipush.pos.sms",
                "intellipush_pos_prepare",
                [this.pos.config.id, this.props.partner.id],
                {},
                false
            );
            this.bodies = prepared.bodies;
            Object.assign(this.state, { number: prepared.number, reason: prepared.reason });
            this.state.body = this.bodies[this.state.templateId] || "";
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
            this.state.offline = true;
        }
        this.state.loading = false;
    }
    onTemplateChange(ev) {
        this.state.templateId = parseInt(ev.target.value) || false;
        if (!this.state.offline) {
            this.state.body = this.bodies[this.state.templateId] || "";
        }
    }
    /** Offline, the server cannot price it: the register still asks before a long SMS. */
    offlineWarning(body) {
        const segments = analyze(body || "").segments;
        return segments > LONG_SMS_SEGMENTS
            ? _t("1 SMS of %s segment(s): a long message costs a credit per segment.", segments)
            : false;
    }
    onCostConfirmedChange(ev) {
        this.state.costConfirmed = ev.target.checked;
    }
    get bodyPlaceholder() {
        return this.state.offline && this.state.templateId
            ? _t("Leave empty: the template is filled in for the customer when the message goes.")
            : "";
    }
    get canSend() {
        if (this.state.loading || this.state.estimating || (this.state.warning && !this.state.costConfirmed)) {
            return false;
        }
        if (this.state.offline) {
            return Boolean(this.state.body.trim() || this.state.templateId);
        }
        return Boolean(this.state.number && this.state.body.trim());
    }
    async send() {
        const outcome = await this.pos.intellipushSendQuickSms({
            partner_id: this.props.partner.id,
            template_id: this.state.templateId,
            // Offline and left empty: the server fills the template in.
            body: this.state.body.trim() || false,
        });
        const name = this.props.partner.name;
        if (!outcome) {
            this.notification.add(
                _t("The register is offline: the SMS to %s goes when it is back online.", name),
                { type: "warning" }
            );
        } else if (isQuickSmsKept(outcome)) {
            const text = _t("SMS to %(name)s not sent yet: %(reason)s", {
                name,
                reason: outcome.reason || "",
            });
            this.notification.add(text, { type: "warning" });
        } else if (isQuickSmsRefused(outcome)) {
            this.pos.intellipushNotifyQuickSmsRefused(name, outcome);
        } else {
            this.notification.add(_t("SMS to %s sent.", name), { type: "success" });
        }
        this.props.close();
    }
}
