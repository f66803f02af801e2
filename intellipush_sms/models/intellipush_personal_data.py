"""Personal data by phone number (GDPR art. 15 and 17): what the SMS addons
hold on one number, as an export document, and its erasure.

What is held is found once, as records per kind
(``_intellipush_personal_data_records``), and serves the counts on the form,
the export and the erasure alike. Every addon that stores a number or what was
said to it extends ``_intellipush_personal_data_kinds`` (label and exported
fields), ``_intellipush_personal_data_records`` (where it is) and
``_intellipush_erase_records`` (its part of the erasure), calling super.
"""

from collections import Counter, namedtuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.personal_data import contains_number, digit_forms, export_document
from ..tools.phone_numbers import InvalidPhoneNumber
from .intellipush_credit_rate import normalize_cached

# One number as the addons look for it: E.164, the digit forms a column may
# hold it in, and the contacts who have it.
Subject = namedtuple("Subject", "e164 forms partners")


class IntellipushPersonalData(models.AbstractModel):
    _name = "intellipush.personal.data"
    _description = "Personal Data by Phone Number"

    @api.model
    def _intellipush_subject(self, number, company):
        """The :data:`Subject` of ``number`` as a person gives it (``41234567``
        is read in ``company``'s country); a UserError if it is no number."""
        try:
            parsed = normalize_cached(number or "", company._intellipush_phone_region(), mobile_only=False)
        except InvalidPhoneNumber as error:
            raise UserError(self.env._("%(number)s is no phone number we can look up.", number=number or "")) from error
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(["|", ("phone_sanitized", "=", parsed.e164), ("phone_mobile_search", "=", parsed.e164)])
        )
        return Subject(parsed.e164, digit_forms(parsed.country_code, parsed.national_number), partners)

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
    def _with_number(self, model, column, subject):
        """The records of ``model`` whose ``column`` holds the number, however typed."""
        records = self.env[model].sudo()
        records.flush_model([column])
        return records.browse(self._ids_with_number(records._table, column, subject))

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
    # What is held: one kind of record each
    # ------------------------------------------------------------

    @api.model
    def _intellipush_personal_data_kinds(self):
        """``{kind: (label, exported field names)}``, in the export's order."""
        _ = self.env._
        return {
            "contacts": (
                _("Contacts"),
                ["name", "phone", "mobile", "email", "sms_consent_state", "sms_consent_date",
                 "sms_consent_channel", "sms_consent_proof", "sms_marketing_basis"],
            ),
            "consent_log": (
                _("Consent log"),
                ["date", "partner_id", "channel", "previous_state", "new_state", "basis", "proof", "order_ref",
                 "user_id"],
            ),
            "sms": (
                _("SMS sent"),
                ["create_date", "company_id", "number", "body", "state", "sms_purpose", "failure_reason", "sent_at",
                 "delivered_at", "credit_cost"],
            ),
            "sms_notifications": (_("SMS in the chatter"), ["mail_message_id", "sms_number", "notification_status"]),
            "inbound": (_("SMS received"), ["received_at", "company_id", "number", "body", "keyword", "action"]),
            "blacklist": (_("Blacklist"), ["create_date", "number", "active"]),
            "access_codes": (_("Access codes"), ["create_date", "resource_id", "number", "valid_from", "valid_to",
                                                "state"]),
            "access_attempts": (_("Access attempts"), ["date", "resource_id", "number", "reason", "remote_addr"]),
            "lists": (_("SMS contact lists"), ["list_id", "name", "number"]),
            "sends": (_("Send SMS forms that name the number"), ["name", "create_date", "state"]),
            "suppression": (_("Kept after an erasure"), ["scope", "erased_at"]),
        }  # fmt: skip

    @api.model
    def _intellipush_personal_data_records(self, subject):
        """``{kind: records}`` (superuser) of what is held on ``subject``."""
        env = self.env
        self.env["sms.sms"].flush_model(["number", "number_e164"])
        self.env.cr.execute(
            "SELECT id FROM sms_sms WHERE number_e164 = %s OR regexp_replace(number, '\\D', '', 'g') = ANY(%s)",
            [subject.e164, list(subject.forms)],
        )
        sms = env["sms.sms"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        grants = env["intellipush.access.grant"].sudo().search([("number", "=", subject.e164)])
        sends = env["intellipush.sms.send"].sudo().search([("numbers", "!=", False)])
        return {
            "contacts": subject.partners,
            "consent_log": subject.partners.sms_consent_log_ids.sudo(),
            "sms": sms,
            "sms_notifications": self._with_number("mail.notification", "sms_number", subject),
            "inbound": env["intellipush.inbound.sms"].sudo().search([("number", "=", subject.e164)]),
            "blacklist": env["phone.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("number", "=", subject.e164)]),
            "access_codes": grants,
            "access_attempts": self._with_number("intellipush.access.attempt", "number", subject) | grants.attempt_ids,
            "lists": self._with_number("intellipush.sms.list.contact", "number", subject),
            "sends": sends.filtered(lambda send: contains_number(send.numbers, subject.forms)),
            "suppression": env["intellipush.suppression"]._of_numbers({subject.e164}),
        }

    @api.model
    def _intellipush_personal_data_sections(self, subject, records=None):
        """``{kind: (label, rows)}`` of what is held on ``subject``."""
        records = records or self._intellipush_personal_data_records(subject)
        return {
            kind: (label, self._rows(records[kind], field_names))
            for kind, (label, field_names) in self._intellipush_personal_data_kinds().items()
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
        records = self._intellipush_personal_data_records(subject)
        opted_out = any(records["blacklist"].mapped("active"))
        self.env["intellipush.suppression"]._suppress(subject.e164, "all" if opted_out else "marketing", reason)
        return +self._intellipush_erase_records(subject, records, remove_from_contacts)

    @api.model
    def _intellipush_erase_records(self, subject, records, remove_from_contacts):
        """Erase ``records`` (found before anything was erased); a Counter of them per kind."""
        env = self.env
        if sms := records["sms"]:
            env["sms.sms"].flush_model()
            # In SQL: the stored segments and costs stay as they were sent.
            env.cr.execute(
                """UPDATE sms_sms SET number = NULL, number_e164 = NULL, body = %s,
                          intellipush_redacted_body = NULL
                    WHERE id = ANY(%s)""",
                [env._("(erased on request)"), sms.ids],
            )
            env["sms.sms"].invalidate_model(["number", "number_e164", "body", "intellipush_redacted_body"])
        self._erase_notifications(records["sms_notifications"])
        for kind in ("inbound", "blacklist", "access_attempts", "access_codes", "lists"):
            records[kind].unlink()
        for send in records["sends"]:
            send.numbers = "\n".join(
                line for line in (send.numbers or "").splitlines() if not contains_number(line, subject.forms)
            )
        counted = ["sms", "sms_notifications", "inbound", "blacklist", "access_attempts", "access_codes", "lists",
                   "sends"]  # fmt: skip
        if remove_from_contacts and subject.partners:
            self._forget_contacts(subject)
            counted += ["consent_log", "contacts"]
        return Counter({kind: len(records[kind]) for kind in counted})

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
    def _erase_notifications(self, notifications):
        """Blank the number of these SMS notifications of Odoo's chatter, and
        the text of the SMS messages that went to this number only."""
        if not notifications:
            return
        self.env["mail.notification"].flush_model(["sms_number"])
        self.env.cr.execute(
            """UPDATE mail_notification SET sms_number = NULL WHERE id = ANY(%s)
               RETURNING mail_message_id""",
            [notifications.ids],
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
