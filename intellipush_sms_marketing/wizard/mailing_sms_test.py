from markupsafe import Markup

from odoo import _, models


class MailingSmsTest(models.TransientModel):
    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        """Test SMS of a mailing go through the Intellipush gateway too (Odoo's
        version calls IAP directly), as transactional SMS to the tester."""
        self.ensure_one()
        company = self.env.company
        if company.sms_provider != "intellipush":
            return super().action_send_sms()
        numbers = [number.strip() for number in (self.numbers or "").splitlines() if number.strip()]
        sanitized = {number: self.env.user._phone_format(number=number) for number in numbers}
        model = self.mailing_id.mailing_model_real
        record = self.env[model].search([], limit=1)
        body = self.mailing_id.body_plaintext or ""
        if record:
            body = self.env["mail.render.mixin"]._render_template(body, model, record.ids)[record.id]
        sms = (
            self.env["sms.sms"]
            .sudo()
            .with_context(intellipush_sms_purpose="transactional")
            .create(
                [
                    {"body": body, "number": number, "company_id": company.id}
                    for number in dict.fromkeys(sanitized.values())
                    if number
                ]
            )
        )
        sms.filtered(lambda record: record.state == "outgoing").send()
        lines = [self.env._("Test SMS queued for %s", record.number) for record in sms if record.state == "outgoing"]
        lines += [
            self.env._(
                "Test SMS not sent to %(number)s: %(reason)s", number=record.number, reason=record.failure_reason
            )
            for record in sms
            if record.state != "outgoing"
        ]
        if invalid := [number for number, value in sanitized.items() if not value]:
            lines.append(_("The following numbers are not correctly encoded: %s", ", ".join(invalid)))
        if lines:
            self.mailing_id._message_log(
                body=Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in lines)
            )
        return True
