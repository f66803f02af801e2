import re
from contextlib import contextmanager
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.intellipush_sms.models import intellipush_credit_rate
from odoo.addons.intellipush_sms.tests.common import IntellipushCase
from odoo.addons.intellipush_sms.tools.sms_encoding import analyze

from .common import create_customers, create_sms_mailing

RECIPIENT_LINK = re.compile(r"https?://\S+?/r/(\w+)/s/(\d+)")


@contextmanager
def recorded_queries():
    """The SQL statements run inside the block, as text."""
    queries = []
    execute = Cursor.execute

    def recording(cr, query, params=None, log_exceptions=True):
        queries.append(query.code if isinstance(query, SQL) else str(query))
        return execute(cr, query, params, log_exceptions)

    with patch.object(Cursor, "execute", recording):
        yield queries


def updates_of(queries, table, column):
    """The UPDATEs of ``table`` among ``queries`` that set ``column`` (Odoo's
    flush starts its statements with a blank)."""
    return [query for query in queries if query.lstrip().startswith(f'UPDATE "{table}"') and f'"{column}"' in query]


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignBulkCreation(IntellipushCase):
    """A campaign's SMS are made in bulk: links with their SMS id in the
    INSERT, one blacklist query per chunk, a price per destination and length."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.intellipush_optout_footer = "Svar STOPP til 2160"
        cls.customers = create_customers(cls.env, 12, first_number=40051000)

    def test_each_text_goes_in_with_its_own_link(self):
        mailing = create_sms_mailing(
            self.env, "Julesalg", "Hei {{ object.name }}! Julesalg: https://butikk.example/jul", self.customers
        )
        with recorded_queries() as queries:
            mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms), 12)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(set(sms.mapped("credit_state")), {"reserved"})
        codes = set()
        for message in sms:
            links = RECIPIENT_LINK.findall(message.body)
            self.assertEqual(len(links), 1, message.body)
            self.assertEqual(int(links[0][1]), message.id, "the link names its own SMS")
            codes.add(links[0][0])
            analysis = analyze(message.body)
            self.assertEqual((message.sms_segments, message.sms_length), (analysis.segments, analysis.characters))
        self.assertEqual(len(codes), 1, "one tracked link for the campaign")
        tracker = self.env["link.tracker.code"].search([("code", "in", list(codes))]).link_id
        self.assertEqual(tracker.mass_mailing_id, mailing)
        self.assertTrue(tracker.url.startswith("https://butikk.example/jul"))
        self.assertFalse(updates_of(queries, "sms_sms", "body"), "no text is written again after its INSERT")

        # The click of a recipient lands on their trace.
        trace = sms[0].mailing_trace_ids
        self.assertEqual(trace.sms_id_int, sms[0].id)

    def test_each_trace_goes_in_with_its_campaign(self):
        campaign = self.env["utm.campaign"].create({"name": "Vinter 2026"})
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.customers)
        mailing.campaign_id = campaign
        with recorded_queries() as queries:
            mailing.action_send_sms()

        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(len(traces), 12)
        self.assertEqual(traces.campaign_id, campaign)
        self.assertEqual(self.env["mailing.trace"].search_count([("campaign_id", "=", campaign.id)]), 12)
        self.assertFalse(
            updates_of(queries, "mailing_trace", "campaign_id"), "no trace is written again for its campaign"
        )

    def test_a_link_made_by_the_template_is_tracked_per_recipient(self):
        mailing = create_sms_mailing(
            self.env, "Kundeside", "Din side: https://butikk.example/kunde/{{ object.id }}", self.customers[:3]
        )
        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        trackers = self.env["link.tracker"]
        for message in sms:
            code, sms_id = RECIPIENT_LINK.search(message.body).groups()
            self.assertEqual(int(sms_id), message.id)
            trackers |= self.env["link.tracker.code"].search([("code", "=", code)]).link_id
        self.assertEqual(
            sorted(trackers.mapped("url")),
            sorted(f"https://butikk.example/kunde/{partner.id}" for partner in self.customers[:3]),
        )

    def test_a_number_twice_goes_once(self):
        twin = create_customers(self.env, 1, first_number=40051000, prefix="Tvilling")
        mailing = create_sms_mailing(self.env, "Tvilling", "Tilbud i dag!", self.customers[:3] | twin)
        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms), 4)
        self.assertEqual(len(sms.filtered(lambda message: message.state == "outgoing")), 3)
        self.assertEqual(sms.filtered(lambda message: message.state == "canceled").failure_type, "sms_duplicate")

    def test_blacklist_verdicts_take_one_query_whatever_the_number_of_recipients(self):
        self.env["phone.blacklist"].sudo()._add(["+4740051003"])
        sms_model = self.env["sms.sms"]

        def blacklist_queries(partners):
            entries = [(partner.mobile, partner, "marketing", self.company) for partner in partners]
            with recorded_queries() as queries:
                verdicts = sms_model._intellipush_policy_verdicts(entries)
            return verdicts, [query for query in queries if "phone_blacklist" in query]

        verdicts, few = blacklist_queries(self.customers[:4])
        self.assertEqual([verdict and verdict.skip for verdict in verdicts], [None, None, None, "blacklisted"])
        verdicts, many = blacklist_queries(self.customers)
        self.assertEqual(len(few), 1)
        self.assertEqual(len(many), 1)
        self.assertEqual(sum(1 for verdict in verdicts if verdict), 1)

    def test_a_price_per_destination_and_segment_count(self):
        numbers = [f"+47 4005 {1000 + index}" for index in range(30)] + ["+46 70 123 45 67", "12"]
        messages = [(number, 1 + index % 2) for index, number in enumerate(numbers)]
        with patch.object(
            intellipush_credit_rate, "message_cost", wraps=intellipush_credit_rate.message_cost
        ) as message_cost:
            quotes = self.env["intellipush.credit.rate"]._quote(self.company, messages)
        self.assertEqual(len(quotes), 32)
        self.assertFalse(quotes[-1].e164, "an invalid number has no price")
        self.assertEqual({(quote.segments, quote.cost) for quote in quotes[:30:2]}, {(1, quotes[0].cost)})
        self.assertEqual({(quote.segments, quote.cost) for quote in quotes[1:30:2]}, {(2, quotes[1].cost)})
        priced = {(quote.country, quote.segments) for quote in quotes if quote.cost is not None}
        self.assertEqual(message_cost.call_count, len(priced), "one price per destination and length")


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignSentByTheQueue(IntellipushCase):
    """In the mass mailing queue's scheduled action, the dispatch reserves
    what each committed chunk holds, and sends it."""

    def test_the_dispatch_reserves_and_sends_what_the_queue_made(self):
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "5")
        customers = create_customers(self.env, 12, first_number=40061000)
        mailing = create_sms_mailing(self.env, "Kø", "Tilbud: https://butikk.example/ko", customers)
        queue_cron = self.env.ref("mass_mailing.ir_cron_mass_mailing_queue")

        mailing.with_context(cron_id=queue_cron.id).action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms), 12)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(set(sms.mapped("credit_state")), {False}, "not reserved in the chunk's transaction")
        available = self.wallet._available()

        self.env["sms.sms"]._cron_intellipush_dispatch()

        sms.invalidate_recordset()
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})
        self.assertEqual(len(self.sandbox.messages()), 12)
        self.assertGreater(sum(sms.mapped("credit_cost")), 0)
        self.assertAlmostEqual(float(available - self.wallet._available()), sum(sms.mapped("credit_cost")), places=4)

    def test_the_claim_reserves_what_it_takes_in_the_same_update(self):
        """A chunk's SMS are priced and claimed together: their credits and
        their state go to the database in one UPDATE, not one each."""
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "5")
        customers = create_customers(self.env, 7, first_number=40062000)
        mailing = create_sms_mailing(self.env, "Krav", "Tilbud: https://butikk.example/krav", customers)
        mailing.with_context(cron_id=self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").id).action_send_sms()
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])

        with recorded_queries() as queries:
            claimed = self.env["sms.sms"]._intellipush_claim(100)
            self.env.flush_all()

        self.assertEqual(claimed, sms)
        self.assertEqual(set(sms.mapped("state")), {"process"})
        self.assertEqual(set(sms.mapped("credit_state")), {"reserved"})
        reservations = self.env["intellipush.credit.ledger"].search([("sms_id", "in", sms.ids)])
        self.assertEqual(set(reservations.mapped("entry_type")), {"reservation"})
        self.assertEqual(len(reservations), 7)
        credit_updates = updates_of(queries, "sms_sms", "credit_state")
        self.assertTrue(credit_updates)
        self.assertEqual(credit_updates, updates_of(queries, "sms_sms", "intellipush_dispatch_token"))
        self.assertEqual(set(sms.mailing_trace_ids.mapped("trace_status")), {"outgoing"}, "not sent yet")


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignLinksPerBatch(IntellipushCase):
    """Intellipush's short links are made for each batch just before it goes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"intellipush_link_backend": "intellipush", "intellipush_optout_footer": False})
        cls.customers = create_customers(cls.env, 12, first_number=40071000)

    def test_the_first_batch_goes_before_the_others_are_shortened(self):
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms.batch_size", "5")
        mailing = create_sms_mailing(self.env, "Påske", "Påske! https://butikk.example/paske", self.customers)
        mailing.action_send_sms()
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)], order="id")

        self.env["sms.sms"]._cron_intellipush_dispatch(max_batches=1)

        sent = sms.filtered(lambda message: message.state == "pending")
        self.assertEqual(sent, sms[:5])
        self.assertEqual(len(self.sandbox.messages()), 5)
        self.assertTrue(all(message.intellipush_links_checked for message in sent))
        self.assertFalse(any((sms - sent).mapped("intellipush_links_checked")), "the others wait for their batch")
        self.assertTrue(all(RECIPIENT_LINK.search(message.body) for message in sms - sent))
        children = self.env["intellipush.short.url"].search(
            [("mass_mailing_id", "=", mailing.id), ("parent_id", "!=", False)]
        )
        self.assertEqual(len(children), 5)

        self.env["sms.sms"]._cron_intellipush_dispatch()

        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(len(self.sandbox.messages()), 12)
        self.assertEqual(
            self.env["intellipush.short.url"].search_count(
                [("mass_mailing_id", "=", mailing.id), ("parent_id", "!=", False)]
            ),
            12,
        )
        self.assertFalse(any(RECIPIENT_LINK.search(message["message"]) for message in self.sandbox.messages()))


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignEstimate(IntellipushCase):
    """The mailing form's live estimate of a large audience: a sample of it,
    scaled, and labelled as estimated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.intellipush_optout_footer = "Svar STOPP til 2160"
        cls.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.estimate_sample", "20")
        # Created in this order, so that a sample spread over the ids holds as many of each.
        cls.consenting = create_customers(cls.env, 20, first_number=40081000)
        cls.without_consent = create_customers(cls.env, 20, first_number=40082000, consent="none")

    def test_a_large_audience_is_estimated_from_a_sample(self):
        mailing = create_sms_mailing(
            self.env, "Stor", "Hei {{ object.name }}! Vintersalg.", self.consenting | self.without_consent
        )
        summary = mailing.intellipush_cost_summary
        self.assertIn("Estimated from 20 of 40 recipients", summary)
        self.assertIn("about 20 SMS", summary)
        self.assertIn("about 20 skipped: No marketing consent", summary)

        # At send time, the wallet check counts every recipient.
        mailing.action_put_in_queue()
        self.assertEqual(mailing.state, "in_queue")

    def test_a_small_audience_is_counted_exactly(self):
        mailing = create_sms_mailing(self.env, "Liten", "Vintersalg!", self.consenting[:10] | self.without_consent[:5])
        summary = mailing.intellipush_cost_summary
        self.assertNotIn("Estimated", summary)
        self.assertIn("10 SMS", summary)
        self.assertIn("5 skipped: No marketing consent", summary)

    def test_the_estimate_reads_a_sample_not_every_recipient(self):
        mailing = create_sms_mailing(self.env, "Stor", "Vintersalg!", self.consenting | self.without_consent)

        def partner_reads(partners):
            mailing.mailing_domain = repr([("id", "in", partners.ids)])
            self.env.invalidate_all()
            with recorded_queries() as queries:
                self.assertIn("Estimated", mailing.intellipush_cost_summary)
            return len(queries)

        partner_reads(self.consenting[:11] | self.without_consent[:11])  # caches warmed
        self.assertEqual(
            partner_reads(self.consenting[:11] | self.without_consent[:11]),
            partner_reads(self.consenting | self.without_consent),
        )
