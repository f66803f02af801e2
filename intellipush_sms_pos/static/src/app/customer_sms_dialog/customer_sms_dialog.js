import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { Dialog } from "@web/core/dialog/dialog";
import { useService } from "@web/core/utils/hooks";
import { ConnectionLostError } from "@web/core/network/rpc";
import { usePos } from "@point_of_sale/app/store/pos_hook";
import { useMobileCheck } from "@intellipush_sms_pos/app/mobile_check";

/**
 * The customer's mobile number and marketing consent, recorded at the
 * counter: the consent log gets channel "Point of Sale", the shop, the
 * employee at the register and the time.
 */
export class CustomerSmsDialog extends Component {
    static template = "intellipush_sms_pos.CustomerSmsDialog";
    static components = { Dialog };
    static props = { partner: Object, close: Function };

    setup() {
        this.pos = usePos();
        this.notification = useService("notification");
        this.state = useState({
            mobile: this.props.partner.mobile || "",
            consent: this.props.partner.sms_consent_state === "granted",
            saving: false,
        });
        this.mobileCheck = useMobileCheck(() => this.state.mobile);
    }
    get wasGranted() {
        return this.props.partner.sms_consent_state === "granted";
    }
    get consentHelp() {
        if (this.state.consent === this.wasGranted) {
            return this.wasGranted
                ? _t("The customer has agreed to receive offers by SMS.")
                : this.props.partner.sms_consent_state === "withdrawn"
                ? _t("The customer withdrew the consent to offers by SMS.")
                : _t("No consent to offers by SMS yet.");
        }
        return _t("Recorded with %(shop)s, %(employee)s and the time.", {
            shop: this.pos.config.name,
            employee: this.pos.get_cashier()?.name || "",
        });
    }
    get canSave() {
        return (
            !this.state.saving &&
            !this.mobileCheck.checking &&
            this.mobileCheck.valid &&
            !this.mobileCheck.offline
        );
    }
    async save() {
        this.state.saving = true;
        try {
            await this.pos.data.callRelated(
                "res.partner",
                "intellipush_pos_save_sms_details",
                [
                    this.props.partner.id,
                    this.state.mobile.trim(),
                    this.state.consent,
                    this.pos.config.id,
                    this.pos.intellipushEmployeeId(),
                ],
                {},
                false
            );
        } catch (error) {
            this.state.saving = false;
            if (error instanceof ConnectionLostError) {
                this.notification.add(
                    _t("The register is offline: save the customer's SMS details when it is back online."),
                    { type: "warning" }
                );
                return;
            }
            throw error;
        }
        this.notification.add(_t("SMS details of %s saved.", this.props.partner.name), {
            type: "success",
        });
        this.props.close();
    }
}
