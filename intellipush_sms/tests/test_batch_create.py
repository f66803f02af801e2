from odoo.tests import TransactionCase, tagged

from ..tools.sms_encoding import analyze

TEXTS = ["Hei! Ordren din er klar.", "Hei! Ordren din er klar.", "Hei 😀 Ordren din er klar.", "Pris: 100€ [tilbud]"]


@tagged("post_install", "-at_install", "intellipush")
class TestBatchCreate(TransactionCase):
    """SMS created many at a time get their defaults looked up once and their
    encoding analysed once per text, with the same values as one by one."""

    def test_sms_of_one_batch_get_the_defaults_of_one_by_one_and_a_uuid_each(self):
        sms_model = self.env["sms.sms"]
        batch = sms_model.create([{"number": "+4741234567", "body": text} for text in TEXTS])
        alone = sms_model.create({"number": "+4741234567", "body": TEXTS[0]})

        self.assertEqual(len(set(batch.mapped("uuid"))), len(TEXTS), "a UUID of its own for each SMS")
        for sms in batch:
            self.assertEqual(
                (sms.state, sms.company_id, sms.sms_purpose, sms.to_delete),
                (alone.state, alone.company_id, alone.sms_purpose, alone.to_delete),
            )
            analysis = analyze(sms.body)
            self.assertEqual(
                (sms.sms_encoding, sms.sms_segments, sms.sms_length),
                (analysis.encoding, analysis.segments, analysis.characters),
            )
        self.assertEqual(batch.mapped("sms_encoding"), ["GSM-7", "GSM-7", "UCS-2", "GSM-7"])

    def test_defaults_from_the_context_still_apply_to_a_batch(self):
        batch = (
            self.env["sms.sms"]
            .with_context(default_state="canceled", default_failure_type="sms_optout")
            .create([{"number": "+4741234567", "body": text} for text in TEXTS])
        )
        self.assertEqual(set(batch.mapped("state")), {"canceled"})
        self.assertEqual(set(batch.mapped("failure_type")), {"sms_optout"})

    def test_only_the_fresh_defaults_differ_from_one_record_to_the_next(self):
        # A default that differs per record and is not declared fresh would be
        # shared by a whole batch: this says which ones differ today. (Traces
        # and their trackers are created in batches where SMS Marketing is installed.)
        for model_name in ("sms.sms", "mailing.trace", "sms.tracker"):
            model = self.env.get(model_name)
            if model is None or not hasattr(model, "_intellipush_fresh_defaults"):
                continue
            with self.subTest(model=model_name):
                fields = list(model._fields)
                first, second = model.default_get(fields), model.default_get(fields)
                differing = {name for name in first.keys() | second.keys() if first.get(name) != second.get(name)}
                self.assertEqual(differing, set(model._intellipush_fresh_defaults))
