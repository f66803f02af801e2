import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { analyze, UCS2 } from "@intellipush_sms/sms_encoding";

/**
 * Live counter under an SMS text, counting as Intellipush bills (the shared
 * GSM-7 / UCS-2 encoder of intellipush_sms): characters, encoding, segments
 * and what is left in the last one.
 */
export class SmsCounter extends Component {
    static template = "intellipush_sms_pos.SmsCounter";
    static props = { text: String };

    get analysis() {
        return analyze(this.props.text || "");
    }
    get isUnicode() {
        return this.analysis.encoding === UCS2;
    }
    get remainingLabel() {
        return _t("%s left in this segment", this.analysis.remaining);
    }
}
