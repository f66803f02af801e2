"""Shared fixtures of the SMS Marketing bridge tests."""

import re

from odoo.addons.intellipush_sms.controllers.link_tracker import _MISSES
from odoo.addons.intellipush_sms.tests.common import IntellipushSandboxMixin

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


def create_list_sms_mailing(env, mailing_lists, subject="Vårsalg", body="Vårsalg: 20 % på alle stoler!"):
    """An SMS Marketing mailing of ``body`` to the subscribers of ``mailing_lists``, without the opt-out link."""
    return env["mailing.mailing"].create(
        {
            "subject": subject,
            "mailing_type": "sms",
            "body_plaintext": body,
            "sms_allow_unsubscribe": False,
            "mailing_model_id": env["ir.model"]._get_id("mailing.list"),
            "contact_list_ids": [(6, 0, mailing_lists.ids)],
        }
    )


CAMPAIGN_TARGET = "https://butikk.example/jul"
CAMPAIGN_LINK = re.compile(r"https?://\S+?/r/(\w+)/s/(\d+)")


class CampaignLinkMixin(IntellipushSandboxMixin):
    """A campaign sent to two customers through the sandbox, and the link
    the first of them received: ``code``, ``sms_id`` and its ``trace``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.env.company.intellipush_optout_footer = False
        cls.customers = create_customers(cls.env, 2, first_number=40011000)
        cls.mailing = create_sms_mailing(
            cls.env, "Julesalg", f"Julesalg i dag! Se tilbudene: {CAMPAIGN_TARGET}", cls.customers
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.addCleanup(_MISSES.clear)
        self._before_campaign_sent()
        self.mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.code, sms_id = CAMPAIGN_LINK.search(self.sandbox.messages()[0]["message"]).groups()
        self.sms_id = int(sms_id)
        self.trace = self.env["mailing.trace"].search([("sms_id_int", "=", self.sms_id)])
        self.assertEqual(len(self.trace), 1)

    def _before_campaign_sent(self):
        """What a test class needs in place before the campaign goes."""


BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"
WHATSAPP_PREVIEW = "WhatsApp/2.24.8.85 A"


def visit_campaign_link(case, mailing, partner, at, agent=BROWSER):
    """In the HttpCase ``case``, ``partner`` opens their link of ``mailing``
    (sent) over HTTP with the browser ``agent``; the visit (a click, or a
    bot's visit) is then dated ``at``, a whole second as orders are."""
    env = case.env
    trace = env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id), ("res_id", "=", partner.id)])
    code = env["link.tracker"].search([("mass_mailing_id", "=", mailing.id)]).code
    response = case.url_open(f"/r/{code}/s/{trace.sms_id_int}", headers={"User-Agent": agent}, allow_redirects=False)
    case.assertEqual(response.status_code, 302)
    visit = env["link.tracker.click"].with_context(active_test=False).search([], order="id desc", limit=1)
    env.cr.execute("UPDATE link_tracker_click SET create_date = %s WHERE id = %s", [at, visit.id])
    env.invalidate_all()
