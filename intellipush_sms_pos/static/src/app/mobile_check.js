import { useEffect, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useDebounced } from "@web/core/utils/timing";
import { ConnectionLostError } from "@web/core/network/rpc";
import { usePos } from "@point_of_sale/app/store/pos_hook";

// Offline, only the shape is checked: digits with an optional + and spacing.
const LIGHT_CHECK = /^\+?[\d\s().-]{8,20}$/;

/**
 * Checks a mobile number while it is typed: a pause in typing asks the
 * server, which validates it with the phonenumbers library for the shop
 * company's SMS country (numbers without a prefix belong to it) and answers
 * with the number formatted, or why it cannot receive SMS. Offline, only a
 * light check of its shape is made; the server checks it again when the SMS
 * goes.
 *
 * @param {() => string} getNumber the number as typed
 * @returns {{number: string, valid: boolean, formatted: string, reason: string,
 *            checking: boolean, offline: boolean}}
 */
export function useMobileCheck(getNumber) {
    const pos = usePos();
    const check = useState({
        number: null,
        valid: false,
        formatted: "",
        reason: "",
        checking: false,
        offline: false,
    });
    const ask = useDebounced(async (number) => {
        let result;
        try {
            result = await pos.data.call(
                "res.partner",
                "intellipush_pos_check_mobile",
                [number, pos.config.id],
                {},
                false
            );
        } catch (error) {
            if (!(error instanceof ConnectionLostError)) {
                throw error;
            }
            result = { valid: LIGHT_CHECK.test(number), offline: true };
        }
        if (number !== (getNumber() || "").trim()) {
            return; // typed on meanwhile
        }
        Object.assign(check, {
            number,
            valid: result.valid,
            formatted: result.formatted || "",
            reason: result.valid ? "" : result.reason || _t("not a valid mobile number"),
            checking: false,
            offline: Boolean(result.offline),
        });
    }, 300);
    useEffect(
        (typed) => {
            const number = (typed || "").trim();
            if (!number) {
                Object.assign(check, { number, valid: false, formatted: "", reason: "", checking: false });
                return;
            }
            check.checking = true;
            ask(number);
        },
        () => [getNumber()]
    );
    return check;
}
