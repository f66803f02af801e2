/** @odoo-module */

import { _t } from "@web/core/l10n/translation";

// Words of Odoo's web client that Odoo 18 leaves untranslated in Norwegian,
// shown on our screens too: the title of every warning ("Invalid
// Operation") and the notice of a form that cannot be saved. The web client
// reads one dictionary of every addon's translations, so ours (i18n/nb.po)
// fill them in. Listed here so that the translation export keeps them.
export const ODOO_TERMS_TRANSLATED_HERE = [_t("Invalid Operation"), _t("Invalid fields: ")];
