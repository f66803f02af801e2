"""The demo as a Norwegian shop's clerk and marketing manager walk it.

These tours run on the database ``scripts/demo`` builds (Demobutikk AS, its
customers, campaigns and credits), not on an empty test database:
``scripts/test`` builds one for them and runs them by their tag
``intellipush_demo_walk``, which the other test runs leave out. On a
database without the demo they fail at once rather than pass on nothing.

The demo company talks to a sandbox of this class instead of the demo's
own (its URL changes; its credentials are the demo's). What the demo
queued when it was built is handed over first, and none of it may fail.
"""

import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from unittest.mock import patch
from zoneinfo import ZoneInfo

import polib

from odoo import fields
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.intellipush_sms.tests.common import IntellipushSandboxMixin, Sandbox

# Our English msgids are split at their placeholders and markup; a fragment
# of at least this many characters and two words that the Norwegian text
# does not contain must never be on a screen of the demo.
MIN_FRAGMENT = 12
_SPLIT = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>|\{\{.*?\}\}|[\n\"“”():;,.!?…]")


def oslo_tomorrow_at_nine(now=None):
    """Tomorrow 09:00 in Oslo, as the clerk's browser picks it, stored the
    way Odoo stores datetimes (naive UTC). Oslo's tomorrow, not the
    server's: from 23:00 UTC (00:00 in Oslo) the two dates differ."""
    oslo = ZoneInfo("Europe/Oslo")
    today_in_oslo = (now or datetime.now(oslo)).astimezone(oslo).date()
    nine = datetime.combine(today_in_oslo + timedelta(days=1), time(9), tzinfo=oslo)
    return nine.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def english_fragments(ours, odoo_modules):
    """What only the English text of the addons ``ours`` says, from their
    nb.po: not what Norwegian keeps as is, nor what Odoo's own addons
    ``odoo_modules`` say too (Odoo's untranslated words are not ours)."""
    odoo_texts = "\n".join(
        path.read_text(encoding="utf-8")
        for module in odoo_modules
        if (module_path := get_module_path(module, display_warning=False))
        for path in Path(module_path, "i18n").glob("*.pot")
    )
    fragments = set()
    for module in ours:
        for entry in polib.pofile(f"{get_module_path(module)}/i18n/nb.po"):
            if not entry.msgstr or entry.msgstr == entry.msgid:
                continue
            for piece in _SPLIT.split(entry.msgid):
                fragment = piece.strip()
                if (
                    len(fragment) >= MIN_FRAGMENT
                    and " " in fragment
                    and fragment not in entry.msgstr
                    and fragment not in odoo_texts
                ):
                    fragments.add(fragment)
    return sorted(fragments)


@tagged("-standard", "intellipush_demo_walk", "post_install", "-at_install")
class TestDemoWalk(IntellipushSandboxMixin, HttpCase):
    """A clerk sends from a contact, schedules a send and answers a customer
    in the inbox; a marketing manager sends a campaign to a segment and reads
    its results. Everything in Norwegian, nothing of ours in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kari = cls.env.ref("intellipush_sms.demo_partner_kari", raise_if_not_found=False)
        if not cls.kari:
            raise AssertionError("Not a demo database: build it as scripts/test does (create_demo_database).")
        cls.company = cls.env.ref("base.main_company")
        cls.sandbox = Sandbox(
            port=0, api_id=cls.company.intellipush_api_id, api_secret=cls.company.intellipush_api_secret
        ).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.company.intellipush_base_url = cls.sandbox.url
        # The walk runs at any hour: its campaign must not wait for the quiet hours to end.
        cls.company.intellipush_quiet_hours = False
        # The replies scripts/demo queues at its sandbox: Lars opts out, a stranger asks.
        cls.sandbox.add_inbound("0047", "45678901", "Demobutikk stopp")
        cls.sandbox.add_inbound("0047", "99887766", "Hei! Har dere åpent på søndag?")
        cls.env["intellipush.inbound.sms"]._cron_intellipush_inbound()
        cls._hand_over_and_deliver()
        installed = cls.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        ours = [name for name in installed if name.startswith("intellipush_")]
        cls.english = english_fragments(ours, set(installed) - set(ours))

    @classmethod
    def _hand_over_and_deliver(cls):
        sms_model = cls.env["sms.sms"]
        sms_model._cron_intellipush_dispatch()
        cls.sandbox.deliver()
        sms_model.search([("state", "=", "pending")]).intellipush_next_status_check_at = fields.Datetime.now()
        sms_model._cron_intellipush_status()

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # what the demo sent before is not what this walk sends

    def _walk(self, url, tour, login):
        phrases = json.dumps(self.english)
        code = (
            f"sessionStorage.setItem('intellipush_english_fragments', {json.dumps(phrases)});"
            f" odoo.startTour({tour!r}, {json.dumps({'stepDelay': 0, 'startUrl': url})})"
        )
        # The web client shows times in the browser's time zone: a Norwegian
        # shop's browser is in Oslo, the test's Chromium in the server's UTC.
        navigate_to = ChromeBrowser.navigate_to

        def navigate_from_oslo(browser, url, wait_stop=False):
            browser._websocket_request("Emulation.setTimezoneOverride", params={"timezoneId": "Europe/Oslo"})
            return navigate_to(browser, url, wait_stop=wait_stop)

        with patch.object(ChromeBrowser, "navigate_to", navigate_from_oslo):
            self.start_tour(url, tour, login=login, code=code)

    def assertNoDemoSmsFailed(self):
        failed = self.env["sms.sms"].search([("state", "=", "error")])
        self.assertFalse([(sms.number, sms.failure_type, sms.failure_reason) for sms in failed], "no demo SMS fails")

    def test_the_fragments_are_ours_and_english(self):
        self.assertIn("Check the cost before sending", self.english)
        self.assertNotIn("Send SMS", self.english, "the same words in both languages are not flagged")

    def test_tomorrow_is_tomorrow_in_oslo(self):
        # 23:36 UTC on 2 December is 00:36 on 3 December in Oslo: the clerk's
        # "tomorrow 09:00" is 4 December, 08:00 UTC (CI ran the walk then).
        late = datetime(2026, 12, 2, 23, 36, tzinfo=ZoneInfo("UTC"))
        self.assertEqual(oslo_tomorrow_at_nine(late), datetime(2026, 12, 4, 8, 0))
        summer_night = datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
        self.assertEqual(oslo_tomorrow_at_nine(summer_night), datetime(2026, 7, 3, 7, 0))
        afternoon = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("UTC"))
        self.assertEqual(oslo_tomorrow_at_nine(afternoon), datetime(2026, 12, 3, 8, 0))

    def test_the_clerk(self):
        self.assertNoDemoSmsFailed()
        tomorrow_nine = oslo_tomorrow_at_nine()
        self._walk(f"/odoo/res.partner/{self.kari.id}", "intellipush_demo_clerk_tour", login="demo")

        # Sent from Kari's form, and answered in the inbox: both reach the phones once.
        self._hand_over_and_deliver()
        received = [(msg["phonenumber"], msg["message"]) for msg in self.sandbox.messages()]
        self.assertIn(("41234567", "Hei Kari! Sykkelen din er klar til henting."), received)
        self.assertIn(("99887766", "Ja, vi har åpent 12-16 på søndag!"), received)
        self.assertEqual(len(received), len(set(received)), "each once")
        question = self.env["intellipush.inbound.sms"].search([("body", "like", "søndag")])
        self.assertEqual(question.reply_state, "replied")
        # Scheduled for tomorrow at 09:00 in Oslo: handed over to be held by Intellipush.
        scheduled = self.env["intellipush.sms.send"].search([("name", "=", "Åpningstider i romjulen")])
        self.assertEqual(scheduled.state, "scheduled")
        self.assertEqual(
            scheduled.run_ids.sms_ids.partner_id, self.kari | self.env.ref("intellipush_sms.demo_partner_ingrid")
        )
        self.assertEqual(scheduled.send_at, tomorrow_nine)
        self.assertNoDemoSmsFailed()

    def test_the_marketing_manager(self):
        self.assertNoDemoSmsFailed()
        self._walk(
            "/odoo/action-mass_mailing_sms.mailing_mailing_action_sms", "intellipush_demo_campaign_tour", "admin"
        )

        mailing = self.env["mailing.mailing"].search([("sms_subject", "=", "Vintersalg i Oslo og Trondheim")])
        self.assertEqual(
            mailing.intellipush_segment_id, self.env.ref("intellipush_sms_marketing.demo_segment_oslo_trondheim")
        )
        self.assertEqual(mailing.state, "in_queue")
        # The queue runs as its scheduled action does, then the SMS are delivered.
        self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").method_direct_trigger()
        self._hand_over_and_deliver()
        self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").method_direct_trigger()
        received = {msg["phonenumber"] for msg in self.sandbox.messages()}
        self.assertEqual(received, {"41234567", "98765432"}, "Kari and Ingrid consented; the others are skipped")
        self.assertEqual(mailing.state, "done")
        # The chatter tells the campaign's way in the manager's language.
        self.env.flush_all()
        self.env.cr.precommit.run()
        states = mailing.message_ids.tracking_value_ids.filtered(lambda value: value.field_id.name == "state")
        self.assertTrue(states)
        self.assertFalse(
            {"Sending", "Sent", "In Queue"} & set(states.mapped("new_value_char")), states.mapped("new_value_char")
        )

        self._walk(
            f"/odoo/action-mass_mailing_sms.mailing_mailing_action_sms/{mailing.id}",
            "intellipush_demo_results_tour",
            "admin",
        )
        self.assertNoDemoSmsFailed()
