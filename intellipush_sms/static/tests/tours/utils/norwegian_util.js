/** @odoo-module */

// Fragments of our English texts that the Norwegian translation does not
// use, handed over by the Python side (see test_demo_walk.py) in the tab's
// session storage, so that they survive the page loads of a tour.
function englishFragments() {
    return JSON.parse(sessionStorage.getItem("intellipush_english_fragments") || "[]");
}

/**
 * A step that fails if the screen shows any text of ours in English.
 * Checks the visible text of the action, dialogs, notifications and menus.
 */
export function assertNorwegian(content = "Nothing of ours on the screen is in English") {
    return {
        content,
        trigger: "body:not(:has(.o_loading_indicator))",
        run() {
            const fragments = englishFragments();
            if (!fragments.length) {
                throw new Error("No English fragments to look for: the tour was not started by its Python test.");
            }
            const scopes = ".o_main_navbar, .o_action_manager, .modal, .o_notification_manager";
            const text = [...document.querySelectorAll(scopes)].map((el) => el.innerText).join("\n");
            const found = fragments.filter((fragment) => text.includes(fragment));
            if (found.length) {
                throw new Error(`English text of ours on a Norwegian screen: ${JSON.stringify(found)}`);
            }
        },
    };
}

/** Open ``menuXmlid`` of the app ``appXmlid`` from the navigation bar. */
export function openMenu(appXmlid, sectionXmlid, menuXmlid) {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the app",
            trigger: `.o_app[data-menu-xmlid='${appXmlid}']`,
            run: "click",
        },
        {
            content: "Open the menu section",
            trigger: `.o_menu_sections [data-menu-xmlid='${sectionXmlid}']`,
            run: "click",
        },
        {
            content: "Open the menu",
            trigger: `.dropdown-item[data-menu-xmlid='${menuXmlid}']`,
            run: "click",
        },
    ];
}
