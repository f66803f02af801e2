import { useEffect, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { useDebounced } from "@web/core/utils/timing";
import { SmsWidget } from "@sms/components/sms_widget/fields_sms_widget";

import { analyze, LOOKALIKES, replaceLookalikes, UCS2 } from "@intellipush_sms/sms_encoding";

/**
 * The counter under every SMS text counts as Intellipush bills: GSM-7
 * extension characters cost two septets, UCS-2 segments never split an emoji,
 * and it names the characters that forced UCS-2, offering to replace the
 * look-alikes (curly quotes, dashes, special spaces) by plain ones.
 */
patch(SmsWidget.prototype, {
    setup() {
        super.setup();
        // The field commits its value on change; the counter follows every keystroke.
        this.intellipushTyped = useState({ text: null });
        // A pause in typing hands the text to the form, so that what depends
        // on it server-side (the estimated credits) follows too.
        const commitTyped = useDebounced((text) => this.props.record.update({ [this.props.name]: text }), 400);
        useEffect(
            (textarea) => {
                if (!textarea) {
                    return;
                }
                const onInput = () => {
                    this.intellipushTyped.text = textarea.value;
                    commitTyped(textarea.value);
                };
                textarea.addEventListener("input", onInput);
                return () => textarea.removeEventListener("input", onInput);
            },
            () => [this.targetEditElement.el]
        );
    },
    get intellipushText() {
        return this.intellipushTyped.text ?? (this.props.record.data[this.props.name] || "");
    },
    get intellipushAnalysis() {
        return analyze(this._getValueForSmsCounts(this.intellipushText));
    },
    get encoding() {
        return this.intellipushAnalysis.encoding;
    },
    get nbrChar() {
        return this.intellipushAnalysis.characters;
    },
    get nbrSMS() {
        return this.intellipushAnalysis.segments;
    },
    get intellipushForcingCharacters() {
        const analysis = this.intellipushAnalysis;
        return analysis.encoding === UCS2 ? analysis.unicodeCharacters : [];
    },
    get intellipushForcingLabel() {
        // Invisible characters are named by their code point.
        const codePoint = (char) => `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
        return this.intellipushForcingCharacters
            .map((char) => (/\s/.test(char) || LOOKALIKES[char] === "" ? codePoint(char) : char))
            .join(" ");
    },
    get intellipushHasLookalikes() {
        return this.intellipushForcingCharacters.some((char) => char in LOOKALIKES);
    },
    get intellipushRemainingLabel() {
        const remaining = this.intellipushAnalysis.remaining;
        return remaining >= 0 ? _t("%s left in this segment", remaining) : "";
    },
    async onClickReplaceLookalikes() {
        const replaced = replaceLookalikes(this.intellipushText);
        const textarea = this.targetEditElement.el;
        if (textarea) {
            textarea.value = replaced;
            textarea.dispatchEvent(new InputEvent("input"));
        }
        this.intellipushTyped.text = replaced;
        await this.props.record.update({ [this.props.name]: replaced });
    },
});
