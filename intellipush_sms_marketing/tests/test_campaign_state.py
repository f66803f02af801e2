from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from ..models import mailing_mailing
from .common import create_customers, create_sms_mailing

# Each state once in the campaign's chatter.
SENT_ONCE = [("Draft", "In Queue"), ("In Queue", "Sending"), ("Sending", "Sent")]


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignState(IntellipushCase):
    """A campaign the gateway sends in batches says "Sending" until its last
    SMS went and "Sent" then, each once in its chatter: not once per batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = create_customers(cls.env, 12, first_number=40061000)
        cls.env["ir.config_parameter"].sudo().set_param("intellipush_sms.batch_size", "5")

    def _commit(self):
        """What a commit does for the chatter: the changes of the
        transaction that ends are tracked (each batch is one)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _send_in_chunks(self, after_each_chunk):
        """Run the mass mailing queue as its scheduled action does, committing
        chunk by chunk; ``after_each_chunk()`` runs at each chunk's commit (the
        moment another worker's dispatch sees it)."""
        runner_class = type(self.env["intellipush.cron.runner"])
        commit = runner_class._commit

        def commit_then(runner):
            commit(runner)
            if runner.env.context.get("intellipush_reserve_in_dispatch"):  # a chunk of the campaign
                after_each_chunk()

        queue_cron = self.env.ref("mass_mailing.ir_cron_mass_mailing_queue")
        with patch.object(runner_class, "_commit", commit_then):
            self.env["mailing.mailing"].with_context(cron_id=queue_cron.id)._process_mass_mailing_queue()

    def _state_changes(self, mailing):
        self._commit()
        messages = (
            self.env["mail.message"].sudo().search([("model", "=", "mailing.mailing"), ("res_id", "=", mailing.id)])
        )
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", messages.ids),
                    ("field_id", "=", self.env["ir.model.fields"]._get("mailing.mailing", "state").id),
                ],
                order="id",
            )
        )
        return [(value.old_value_char, value.new_value_char) for value in tracking]

    def test_sent_once_the_last_batch_went(self):
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.customers)
        self._commit()
        mailing.action_put_in_queue()
        self._commit()
        self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").method_direct_trigger()
        self._commit()
        self.assertEqual(mailing.state, "sending")

        sms_model = self.env["sms.sms"]
        sms_model._cron_intellipush_dispatch(max_batches=1)  # 5 of 12
        self._commit()
        self.assertEqual(mailing.state, "sending", "7 SMS are still queued")
        sms_model._cron_intellipush_dispatch(max_batches=1)  # 10 of 12
        self._commit()
        self.assertEqual(mailing.state, "sending")
        sms_model._cron_intellipush_dispatch()
        self.assertEqual(len(self.sandbox.messages()), 12)
        self.assertEqual(mailing.state, "done")
        self.assertTrue(mailing.sent_date)
        self.assertEqual(self._state_changes(mailing), SENT_ONCE)

    def test_all_of_a_chunk_gone_is_not_the_campaign_sent(self):
        # The queue's scheduled action commits the campaign chunk by chunk and
        # another worker's dispatch sends each chunk as it is committed: the
        # first chunk gone while the next is being made is not "Sent".
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "5")
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.customers)
        self._commit()
        mailing.action_put_in_queue()
        self._commit()
        states_after_each_chunk = []

        def dispatch():
            self._commit()
            self.env["sms.sms"]._cron_intellipush_dispatch()
            self._commit()
            states_after_each_chunk.append(mailing.state)

        self._send_in_chunks(dispatch)

        self.assertEqual(len(self.sandbox.messages()), 12, "each chunk went as it was made")
        self.assertEqual(states_after_each_chunk, ["sending", "sending", "done"])
        self.assertEqual(self._state_changes(mailing), SENT_ONCE)

    def test_the_dispatch_gets_small_chunks_as_they_are_made(self):
        # A send chunk larger than the committed one: the committed chunk decides.
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "5")
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.customers)
        mailing.action_put_in_queue()
        committed = []
        with patch.object(mailing_mailing, "COMMITTED_CHUNK", 3):
            self._send_in_chunks(
                lambda: committed.append(self.env["sms.sms"].search_count([("mailing_id", "=", mailing.id)]))
            )
        self.assertEqual(committed, [3, 6, 9, 12], "chunks of 3, each committed")

    def test_the_chatter_says_it_in_the_responsibles_language(self):
        # The dispatch cron has no language: "Sendt" as the queue's "Sender" is.
        self.env["res.lang"]._activate_lang("nb_NO")
        self.env["ir.module.module"]._load_module_terms(["mass_mailing"], ["nb_NO"], overwrite=True)
        self.env.user.lang = "nb_NO"
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", self.customers)
        self._commit()
        mailing.action_put_in_queue()
        self._commit()
        self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").method_direct_trigger()
        self._commit()
        self.env["sms.sms"].with_context(lang=None)._cron_intellipush_dispatch()
        self.assertEqual(mailing.state, "done")
        self.assertEqual(self._state_changes(mailing)[-2:], [("I kø", "Sender"), ("Sender", "Sendt")])
