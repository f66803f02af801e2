import { registry } from "@web/core/registry";
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as QuickSms from "@intellipush_sms_pos/../tests/tours/utils/quick_sms_util";

// The server cannot handle the cashier's message to Kari the first time: the
// register says it did not go yet and keeps it; the next time the register
// hands its messages over, it goes, once (the Python side checks).
registry.category("web_tour.tours").add("intellipush_sms_pos_kept_tour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            QuickSms.openQuickSmsFor("Kari Nordmann"),
            QuickSms.writeMessage("Hei Kari! Sykkelen din er klar til henting."),
            QuickSms.send(),
            {
                content: "The cashier learns it did not go yet",
                trigger: ".o_notification:contains(SMS to Kari Nordmann not sent yet)",
            },
            {
                content: "No word of it having been sent or refused",
                trigger:
                    "body:not(:has(.o_notification:contains(SMS to Kari Nordmann sent))):not(:has(.o_notification:contains(not sent:)))",
            },
            {
                content: "The register hands its messages over again",
                trigger: "body",
                run() {
                    window.dispatchEvent(new Event("online"));
                },
            },
            {
                content: "The kept message went",
                trigger: ".o_notification:contains(SMS kept while offline sent: 1)",
            },
        ].flat(),
});
