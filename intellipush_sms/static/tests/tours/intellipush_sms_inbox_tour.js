/** @odoo-module */

import { registry } from "@web/core/registry";

// A clerk working in Norwegian opens the inbox, which shows the messages
// waiting for a reply, answers a customer's question and sees it answered.
// The Python side checks that the reply reached the customer once.
registry.category("web_tour.tours").add("intellipush_sms_inbox_tour", {
    steps: () => [
        {
            content: "The inbox opens on the messages waiting for a reply",
            trigger: ".o_searchview .o_facet_value:contains(Venter på svar)",
        },
        {
            content: "Open the customer's question",
            trigger: ".o_data_row td[name=body]:contains(Har dere åpent på søndag?)",
            run: "click",
        },
        {
            content: "Reply",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_intellipush_reply]:contains(Svar)",
            run: "click",
        },
        {
            content: "The dialog says what the customer wrote and to whom the answer goes",
            trigger: ".modal:contains(De skrev):contains(Har dere åpent på søndag?):contains(+47 998 87 766)",
        },
        {
            content: "Write the answer",
            trigger: ".modal .o_field_widget[name=body] textarea",
            run: "edit Ja, vi har åpent 12-16 på søndag!",
        },
        {
            content: "The cost reads as Norwegians write numbers",
            trigger: ".modal .o_field_widget[name=intellipush_cost_summary]:contains(omtrent 1,11 kreditter)",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "The notice says it was queued and what it cost",
            trigger: ".o_notification:contains(1 SMS lagt i kø, omtrent 1,11 kreditter.)",
        },
        {
            content: "The question is answered",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Besvart)",
        },
    ],
});
