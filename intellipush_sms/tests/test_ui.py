from odoo.tests import HttpCase, tagged

from .common import IntellipushSandboxMixin


@tagged("post_install", "-at_install", "intellipush")
class TestChatterTour(IntellipushSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Kari Nordmann",
                "mobile": "+47 412 34 567",
                "country_id": cls.env.ref("base.no").id,
            }
        )

    def test_clerk_sends_sms_from_customer_form(self):
        self.start_tour(f"/odoo/res.partner/{self.partner.id}", "intellipush_sms_chatter_tour", login="admin")

        sms = self.env["sms.sms"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(sms.body, "Hei Kari! Pakken din er klar for henting.")
        self.assertEqual((sms.state, sms.credit_state), ("outgoing", "reserved"))

        self.env["sms.sms"]._cron_intellipush_dispatch()

        received = self.sandbox.messages()
        self.assertEqual([(msg["countrycode"], msg["phonenumber"]) for msg in received], [("0047", "41234567")])
        self.assertEqual(sms.state, "pending")
        self.assertEqual(sms.intellipush_id, received[0]["id"])

    def test_live_counter_follows_the_text(self):
        earlier = self.env["sms.sms"].search([])
        self.start_tour(f"/odoo/res.partner/{self.partner.id}", "intellipush_sms_counter_tour", login="admin")

        sms = self.env["sms.sms"].search([("partner_id", "=", self.partner.id), ("id", "not in", earlier.ids)])
        self.assertEqual(sms.body, "Hei Kari! Pakken din er klar for henting i butikken vår på Torget fra i dag🎁")
        self.assertEqual((sms.sms_encoding, sms.sms_segments), ("UCS-2", 2), "as the counter showed")
        self.sandbox.reset()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual([msg["message"] for msg in self.sandbox.messages()], [sms.body])


@tagged("post_install", "-at_install", "intellipush")
class TestNorwegianInboxTour(IntellipushSandboxMixin, HttpCase):
    """The two-way inbox as a Norwegian clerk sees it, in a browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.env["res.lang"]._activate_lang("nb_NO")
        cls.env["ir.module.module"].search(
            [("name", "in", ["base", "web", "mail", "sms", "intellipush_sms"])]
        )._update_translations(["nb_NO"])
        cls.env.ref("base.user_admin").write({"lang": "nb_NO", "tz": "Europe/Oslo"})
        cls.sandbox.add_inbound("0047", "99887766", "Hei! Har dere åpent på søndag?")
        cls.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

    def test_clerk_answers_a_question_in_norwegian(self):
        question = self.env["intellipush.inbound.sms"].search([("body", "like", "søndag")])
        self.assertEqual(question.reply_state, "to_reply")
        self.start_tour(
            "/odoo/action-intellipush_sms.intellipush_inbound_sms_action", "intellipush_sms_inbox_tour", login="admin"
        )
        self.assertEqual(question.reply_state, "replied")
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(
            [(msg["phonenumber"], msg["message"]) for msg in self.sandbox.messages()],
            [("99887766", "Ja, vi har åpent 12-16 på søndag!")],
        )
