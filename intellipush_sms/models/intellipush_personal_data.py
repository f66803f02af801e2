"""Personal data by phone number (GDPR art. 15 and 17): what the SMS addons
hold on one number, as an export document, and its erasure.

Every addon that stores a number or what was said to it extends
``_intellipush_personal_data_sections`` (what it holds, for the export) and
``_intellipush_erase_personal_data`` (its part of the erasure), calling super.
"""

from collections import Counter, namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.personal_data import contains_number, digit_forms, export_document

# One number as the addons look for it: E.164, the digit forms a column may
# hold it in, and the contacts who have it.
Subject = namedtuple("Subject", "e164 forms partners")


class IntellipushPersonalData(models.AbstractModel):
    _name = "intellipush.personal.data"
    _description = "Personal Data by Phone Number"

    @api.model
    def _subject(self, parsed, partners):
        """The :data:`Subject` of a parsed number (``ParsedNumber``)."""
        return Subject(parsed.e164, digit_forms(parsed.country_code, parsed.national_number), partners)

    @api.model
    def _contacts_with_number(self, e164):
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(["|", ("phone_sanitized", "=", e164), ("phone_mobile_search", "=", e164)])
        )

    @api.model
    def _ids_with_number(self, table, column, subject):
        """Ids of ``table`` whose ``column`` holds the number however typed,
        in one query. Read rarely (a request of a person): a scan is fine."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE regexp_replace(%s, '\\D', '', 'g') = ANY(%s)",
                SQL.identifier(table),
                SQL.identifier(column),
                list(subject.forms),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rows(self, records, field_names):
        """Plain rows of ``records`` for the export: relations by name,
        selections by their label, in the user's language."""
        rows = []
        for values in records.read(field_names):
            row = {"id": values["id"]}
            for name in field_names:
                field, value = records._fields[name], values[name]
                if field.type == "many2one":
                    value = value[1] if value else None
                elif field.type == "selection":
                    value = dict(field._description_selection(self.env)).get(value, value) if value else None
                elif field.type in ("one2many", "many2many"):
                    value = records.env[field.comodel_name].browse(value).mapped("display_name")
                elif value is False and field.type != "boolean":
                    value = None
                row[name] = value
            rows.append(row)
        return rows

    # ------------------------------------------------------------
    # What is held: one section per kind
    # ------------------------------------------------------------

    @api.model
    def _intellipush_personal_data_sections(self, subject):
        """``{kind: (label, rows)}`` of what is held on ``subject``."""
        env = self.env
        sms = env["sms.sms"].sudo().browse(self._sms_ids(subject))
        inbound = env["intellipush.inbound.sms"].sudo().search([("number", "=", subject.e164)])
        grants = env["intellipush.access.grant"].sudo().search([("number", "=", subject.e164)])
        attempts = (
            env["intellipush.access.attempt"]
            .sudo()
            .browse(self._ids_with_number("intellipush_access_attempt", "number", subject))
        )
        list_contacts = (
            env["intellipush.sms.list.contact"]
            .sudo()
            .browse(self._ids_with_number("intellipush_sms_list_contact", "number", subject))
        )
        blacklist = (
            env["phone.blacklist"].sudo().with_context(active_test=False).search([("number", "=", subject.e164)])
        )
        suppressed = env["intellipush.suppression"].sudo()._suppressed({subject.e164})
        return {
            "contacts": (
                env._("Contacts"),
                self._rows(
                    subject.partners,
                    [
                        "name",
                        "phone",
                        "mobile",
                        "email",
                        "sms_consent_state",
                        "sms_consent_date",
                        "sms_consent_channel",
                        "sms_consent_proof",
                        "sms_marketing_basis",
                    ],
                ),
            ),
            "consent_log": (
                env._("Consent log"),
                self._rows(
                    subject.partners.sms_consent_log_ids.sudo(),
                    [
                        "date",
                        "partner_id",
                        "channel",
                        "previous_state",
                        "new_state",
                        "basis",
                        "proof",
                        "order_ref",
                        "user_id",
                    ],
                ),
            ),
            "sms": (
                env._("SMS sent"),
                self._rows(
                    sms,
                    [
                        "create_date",
                        "company_id",
                        "number",
                        "body",
                        "state",
                        "sms_purpose",
                        "failure_reason",
                        "sent_at",
                        "delivered_at",
                        "credit_cost",
                    ],
                ),
            ),
            "inbound": (
                env._("SMS received"),
                self._rows(inbound, ["received_at", "company_id", "number", "body", "keyword", "action"]),
            ),
            "blacklist": (
                env._("Blacklist"),
                self._rows(blacklist, ["create_date", "number", "active"]),
            ),
            "access_codes": (
                env._("Access codes"),
                self._rows(grants, ["create_date", "resource_id", "number", "valid_from", "valid_to", "state"]),
            ),
            "access_attempts": (
                env._("Access attempts"),
                self._rows(attempts, ["date", "resource_id", "number", "reason", "remote_addr"]),
            ),
            "lists": (
                env._("SMS contact lists"),
                self._rows(list_contacts, ["list_id", "name", "number"]),
            ),
            "sends": (
                env._("Send SMS forms that name the number"),
                self._rows(self._sends_naming(subject), ["name", "create_date", "state"]),
            ),
            "suppression": (
                env._("Kept after an erasure"),
                [{"scope": scope, "erased_at": erased_at} for scope, erased_at in suppressed.values()],
            ),
        }

    @api.model
    def _intellipush_export(self, subject):
        """The export file (JSON, UTF-8) of what is held on ``subject``."""
        return export_document(subject.e164, self._intellipush_personal_data_sections(subject), fields.Datetime.now())

    # ------------------------------------------------------------
    # Erasure
    # ------------------------------------------------------------

    @api.model
    def _intellipush_erase_personal_data(self, subject, reason, remove_from_contacts=True):
        """Erase ``subject``'s number and what was said to and by it; keep its
        keyed hash so that an opt-out, and the lack of a new consent, still
        hold. Returns a Counter of what was erased, per kind.

        SMS, notifications and campaign traces are kept for the figures and
        the credits they account for, without number nor text."""
        env = self.env
        erased = Counter()
        blacklist = (
            env["phone.blacklist"].sudo().with_context(active_test=False).search([("number", "=", subject.e164)])
        )
        opted_out = any(blacklist.mapped("active"))
        env["intellipush.suppression"]._suppress(subject.e164, "all" if opted_out else "marketing", reason)

        sms_ids = self._sms_ids(subject)
        if sms_ids:
            env["sms.sms"].flush_model()
            # In SQL: the stored segments and costs stay as they were sent.
            env.cr.execute(
                """UPDATE sms_sms SET number = NULL, number_e164 = NULL, body = %s,
                          intellipush_redacted_body = NULL
                    WHERE id = ANY(%s)""",
                [env._("(erased on request)"), sms_ids],
            )
            env["sms.sms"].invalidate_model(["number", "number_e164", "body", "intellipush_redacted_body"])
            erased["sms"] = len(sms_ids)
        erased["sms_notifications"] = self._erase_notifications(subject)

        inbound = env["intellipush.inbound.sms"].sudo().search([("number", "=", subject.e164)])
        erased["inbound"] = len(inbound)
        inbound.unlink()
        erased["blacklist"] = len(blacklist)
        blacklist.unlink()
        grants = env["intellipush.access.grant"].sudo().search([("number", "=", subject.e164)])
        attempts = (
            env["intellipush.access.attempt"]
            .sudo()
            .browse(self._ids_with_number("intellipush_access_attempt", "number", subject))
            | grants.attempt_ids
        )
        erased["access_attempts"] = len(attempts)
        attempts.unlink()
        erased["access_codes"] = len(grants)
        grants.unlink()
        list_contacts = (
            env["intellipush.sms.list.contact"]
            .sudo()
            .browse(self._ids_with_number("intellipush_sms_list_contact", "number", subject))
        )
        erased["lists"] = len(list_contacts)
        list_contacts.unlink()
        sends = self._sends_naming(subject)
        for send in sends:
            send.numbers = "\n".join(
                line for line in (send.numbers or "").splitlines() if not contains_number(line, subject.forms)
            )
        erased["sends"] = len(sends)
        if remove_from_contacts and subject.partners:
            erased["consent_log"] = len(subject.partners.sms_consent_log_ids)
            self._forget_contacts(subject)
            erased["contacts"] = len(subject.partners)
        return +erased

    @api.model
    def _forget_contacts(self, subject):
        """The number off its contacts, with their SMS consent and its log:
        the suppression keeps the opt-out; a new consent starts afresh."""
        partners = subject.partners.with_context(tracking_disable=True)
        for field_name in ("phone", "mobile"):
            holding = [partner.id for partner in partners if contains_number(partner[field_name], subject.forms)]
            partners.browse(holding).write({field_name: False})
        partners.write(
            {
                "sms_consent_state": "none",
                "sms_consent_channel": False,
                "sms_consent_proof": False,
                "sms_consent_proof_file": False,
                "sms_consent_proof_filename": False,
                "sms_customer_basis_date": False,
                "sms_customer_basis_channel": False,
                "sms_customer_basis_order": False,
                "sms_customer_basis_optout": False,
            }
        )
        # Last: the write above logged the change to "no consent" too.
        partners.sms_consent_log_ids.sudo().with_context(intellipush_personal_data_erasure=True).unlink()
        partners.sudo().write({"sms_consent_date": False})

    @api.model
    def _sms_ids(self, subject):
        self.env["sms.sms"].flush_model(["number", "number_e164"])
        self.env.cr.execute(
            "SELECT id FROM sms_sms WHERE number_e164 = %s OR regexp_replace(number, '\\D', '', 'g') = ANY(%s)",
            [subject.e164, list(subject.forms)],
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _sends_naming(self, subject):
        sends = self.env["intellipush.sms.send"].sudo().search([("numbers", "!=", False)])
        return sends.filtered(lambda send: contains_number(send.numbers, subject.forms))

    @api.model
    def _erase_notifications(self, subject):
        """Blank the number of the SMS notifications of Odoo's chatter, and
        the text of the SMS messages that went to this number only."""
        self.env["mail.notification"].flush_model(["sms_number"])
        notification_ids = self._ids_with_number("mail_notification", "sms_number", subject)
        if not notification_ids:
            return 0
        self.env.cr.execute(
            """UPDATE mail_notification SET sms_number = NULL WHERE id = ANY(%s)
               RETURNING mail_message_id""",
            [notification_ids],
        )
        message_ids = list({row[0] for row in self.env.cr.fetchall()})
        self.env.cr.execute(
            """UPDATE mail_message message SET body = %s
                WHERE message.id = ANY(%s) AND message.message_type = 'sms'
                  AND NOT EXISTS (SELECT 1 FROM mail_notification other
                                   WHERE other.mail_message_id = message.id
                                     AND other.notification_type = 'sms' AND other.sms_number IS NOT NULL)""",
            [f"<p>{self.env._('(SMS erased on request)')}</p>", message_ids],
        )
        self.env["mail.notification"].invalidate_model(["sms_number"])
        self.env["mail.message"].invalidate_model(["body"])
        return len(notification_ids)
