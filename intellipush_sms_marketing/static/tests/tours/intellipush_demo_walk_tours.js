/** @odoo-module */

import { registry } from "@web/core/registry";
import { assertNorwegian, openMenu } from "@intellipush_sms/../tests/tours/utils/norwegian_util";

// The demo walked in Norwegian (see test_demo_walk.py, which checks what
// reached the phones). The clerk: an SMS from Kari's form, a send scheduled
// for tomorrow morning, an answer to a customer's question in the inbox.
registry.category("web_tour.tours").add("intellipush_demo_clerk_tour", {
    steps: () => {
        const tomorrow = luxon.DateTime.now().plus({ days: 1 }).toFormat("dd.MM.yyyy");
        return [
            {
                content: "Kari's form: focus her mobile number, the SMS link shows",
                trigger: ".o_field_widget[name=mobile] input",
                run: "click",
            },
            {
                content: "Click SMS beside her number",
                trigger: ".o_field_widget[name=mobile] .o_field_phone_sms",
                run: "click",
            },
            {
                content: "Write the message",
                trigger: ".modal .o_field_widget[name=body] textarea",
                run: "edit Hei Kari! Sykkelen din er klar til henting.",
            },
            {
                content: "The composer says what it costs, as Norwegians write numbers",
                trigger:
                    ".modal .o_field_widget[name=intellipush_cost_summary]:contains(1 SMS, GSM-7, 1 segment(er) hver: omtrent 1,11 kreditter)",
            },
            assertNorwegian("The composer is in Norwegian"),
            {
                content: "Send it",
                trigger: ".modal button[name=action_send_sms]:visible",
                run: "click",
            },
            {
                content: "The notice says it was queued and what it cost",
                trigger: ".o_notification:contains(1 SMS lagt i kø, omtrent 1,11 kreditter.)",
            },
            {
                content: "The SMS shows in her chatter",
                trigger: "body:not(:has(.modal)) .o-mail-Message:contains(Sykkelen din er klar til henting)",
            },
            assertNorwegian("Kari's form is in Norwegian"),

            ...openMenu("intellipush_sms.menu_intellipush_root", "intellipush_sms.menu_intellipush_messages", "intellipush_sms.menu_intellipush_send"),
            {
                content: "A new send",
                trigger: ".o_list_button_add",
                run: "click",
            },
            {
                content: "Name it",
                trigger: ".o_field_widget[name=name] input",
                run: "edit Åpningstider i romjulen",
            },
            {
                content: "To Kari",
                trigger: ".o_field_widget[name=partner_ids] input",
                run: "edit Kari",
            },
            {
                content: "Pick her",
                trigger: ".o-autocomplete--dropdown-item:contains(Kari Nordmann)",
                run: "click",
            },
            {
                content: "And to Ingrid",
                trigger: ".o_field_widget[name=partner_ids] input",
                run: "edit Ingrid",
            },
            {
                content: "Pick her",
                trigger: ".o-autocomplete--dropdown-item:contains(Ingrid Johansen)",
                run: "click",
            },
            {
                content: "At a given time",
                trigger: ".o_field_widget[name=schedule_type] label:contains(På et gitt tidspunkt)",
                run: "click",
            },
            {
                content: "Tomorrow at nine",
                trigger: ".o_field_widget[name=send_at] input",
                run: `edit ${tomorrow} 09:00:00 && press Enter`,
            },
            {
                content: "Write the message",
                trigger: ".o_field_widget[name=body] textarea",
                run: "edit Hei {{ object.sms_first_name }}! Mellom jul og nyttår har vi åpent 10-16.",
            },
            {
                content: "The form counts the recipients and the cost",
                trigger: ".o_field_widget[name=cost_summary]:contains(2 SMS, GSM-7, 1 segment(er) hver)",
            },
            assertNorwegian("The Send SMS form is in Norwegian"),
            {
                content: "Schedule it",
                trigger: ".o_form_view .o_statusbar_buttons button[name=action_send]:contains(Planlegg)",
                run: "click",
            },
            {
                content: "The notice says when the SMS go",
                trigger: ".o_notification:contains(SMS planlagt)",
                run() {
                    const text = this.anchor.innerText;
                    if (!text.includes(`2 SMS sendes ${tomorrow}, 09:00`)) {
                        throw new Error(`The notice reads: ${text}`);
                    }
                },
            },
            {
                content: "The send is scheduled",
                trigger: ".o_statusbar_status .o_arrow_button_current:contains(Planlagt)",
            },
            assertNorwegian("The scheduled send is in Norwegian"),

            ...openMenu("intellipush_sms.menu_intellipush_root", "intellipush_sms.menu_intellipush_messages", "intellipush_sms.menu_intellipush_inbox"),
            {
                content: "The inbox opens on the messages waiting for a reply",
                trigger: ".o_searchview .o_facet_value:contains(Venter på svar)",
            },
            {
                content: "Lars's opt-out needs no reply: only the question waits",
                trigger: ".o_list_view:not(:has(td[name=body]:contains(Demobutikk stopp)))",
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
                content: "Write the answer",
                trigger: ".modal .o_field_widget[name=body] textarea",
                run: "edit Ja, vi har åpent 12-16 på søndag!",
            },
            assertNorwegian("The reply dialog is in Norwegian"),
            {
                content: "Send it",
                trigger: ".modal button[name=action_send]",
                run: "click",
            },
            {
                content: "The question is answered",
                trigger: ".o_statusbar_status .o_arrow_button_current:contains(Besvart)",
            },
        ];
    },
});

// The marketing manager: the demo's campaigns are there with what they
// spent; a new campaign to the demo's segment shows its reach and cost, and
// goes.
registry.category("web_tour.tours").add("intellipush_demo_campaign_tour", {
    steps: () => [
        {
            content: "The demo's own campaigns are listed, not hidden by a filter",
            trigger: ".o_data_row:contains(Julesalg) ~ .o_data_row:contains(Vintersalg), .o_data_row:contains(Vintersalg) ~ .o_data_row:contains(Julesalg)",
        },
        assertNorwegian("The campaigns list is in Norwegian"),
        {
            content: "A new SMS campaign",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Its title",
            trigger: ".o_field_widget[name=sms_subject] input, .o_field_widget[name=sms_subject] textarea",
            run: "edit Vintersalg i Oslo og Trondheim",
        },
        {
            content: "To a saved segment, without choosing the recipient model first",
            trigger: ".o_field_widget[name=intellipush_segment_id] input",
            run: "edit Oslo",
        },
        {
            content: "The demo's segment",
            trigger: ".o-autocomplete--dropdown-item:contains(Kunder i Oslo og Trondheim)",
            run: "click",
        },
        {
            content: "Write the text",
            trigger: ".o_field_widget[name=body_plaintext] textarea",
            run: "edit Vintersalg hos Demobutikk: 40 % på alle jakker denne uken!",
        },
        {
            content: "The estimate: who gets it, what it costs, who is skipped and why",
            trigger:
                ".o_field_widget[name=intellipush_cost_summary]:contains(2 SMS, GSM-7, 1 segment(er) hver):contains(9 hoppet over: Ikke samtykket til markedsføring)",
        },
        assertNorwegian("The campaign form is in Norwegian"),
        {
            content: "Send",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_put_in_queue]:contains(Send)",
            run: "click",
        },
        {
            content: "The confirmation says it in Norwegian",
            trigger: ".modal:contains(Alle mottakere som kan få den, får SMS-en nå; den kan ikke kalles tilbake.)",
        },
        assertNorwegian("The confirmation is in Norwegian"),
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The campaign is in the queue",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(I kø)",
        },
    ],
});

// The marketing manager reads what the campaign did, on its form and side
// by side with the demo's campaigns.
registry.category("web_tour.tours").add("intellipush_demo_results_tour", {
    steps: () => [
        {
            content: "The campaign is sent",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Sendt)",
        },
        {
            content: "Its results",
            trigger: ".o_notebook .nav-link:contains(SMS-resultater)",
            run: "click",
        },
        {
            content: "The credits it spent, with two decimals and a comma",
            trigger: ".o_field_widget[name=intellipush_credits_spent]:contains(2,22)",
        },
        assertNorwegian("The results are in Norwegian"),
        ...openMenu("intellipush_sms.menu_intellipush_root", "intellipush_sms.menu_intellipush_messages", "intellipush_sms_marketing.menu_intellipush_compare_campaigns"),
        {
            content: "The campaigns side by side, the new one among the demo's",
            trigger: ".o_list_view:has(.o_data_row:contains(Vintersalg i Oslo og Trondheim)):has(.o_data_row:contains(Julesalg))",
        },
        assertNorwegian("The comparison is in Norwegian"),
    ],
});
