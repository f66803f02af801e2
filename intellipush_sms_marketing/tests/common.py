"""Shared fixtures of the SMS Marketing bridge tests."""

WEB_FORM_PROOF = "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett."


def create_customers(env, count, first_number, consent="granted", prefix="Kunde"):
    """``count`` contacts with Norwegian mobile numbers from ``first_number``
    (e.g. 40011000: +47 4001 1000) and a marketing consent given on the web."""
    return env["res.partner"].create(
        [
            {
                "name": f"{prefix} {index:03d}",
                "mobile": f"+47 {str(first_number + index)[:4]} {str(first_number + index)[4:]}",
                "sms_consent_state": consent,
                "sms_consent_channel": "web_form",
                "sms_consent_proof": WEB_FORM_PROOF if consent == "granted" else False,
            }
            for index in range(count)
        ]
    )


def create_sms_mailing(env, subject, body, partners, **values):
    """An SMS Marketing mailing of ``body`` to ``partners``, without the opt-out link."""
    return env["mailing.mailing"].create(
        {
            "subject": subject,
            "mailing_type": "sms",
            "body_plaintext": body,
            "sms_allow_unsubscribe": False,
            "mailing_model_id": env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", partners.ids)]),
            **values,
        }
    )
