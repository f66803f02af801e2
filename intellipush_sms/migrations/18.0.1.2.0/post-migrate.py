"""18.0.1.2.0: scheduled actions are named ``_cron_*``.

The cron records are ``noupdate``: their code is brought to the new method
names here. SMS queued before the upgrade were priced when created and keep
their reservations; the dispatch prices any left without one.

Received SMS get a reply state: messages received before the two-way inbox
count as handled (nobody can tell now whether they were answered), keywords
need no reply.
"""

RENAMED = {
    "ir_cron_intellipush_dispatch": ("_intellipush_process_queue", "_cron_intellipush_dispatch"),
    "ir_cron_intellipush_status": ("_intellipush_poll_status", "_cron_intellipush_status"),
    "ir_cron_intellipush_credit_expiry": ("_cron_expire_lots", "_cron_intellipush_expire_credits"),
    "ir_cron_intellipush_access_expire": ("_cron_expire", "_cron_intellipush_expire_grants"),
}


def migrate(cr, version):
    for xmlid, (old, new) in RENAMED.items():
        cr.execute(
            """
            UPDATE ir_act_server action
               SET code = replace(action.code, %s, %s)
              FROM ir_cron cron, ir_model_data imd
             WHERE imd.module = 'intellipush_sms' AND imd.name = %s AND imd.model = 'ir.cron'
               AND cron.id = imd.res_id AND action.id = cron.ir_actions_server_id
               AND action.code LIKE %s
            """,
            [f"model.{old}()", f"model.{new}()", xmlid, f"%model.{old}()%"],
        )
    cr.execute(
        """
        UPDATE intellipush_inbound_sms
           SET reply_state = CASE WHEN action = 'message' THEN 'handled' ELSE 'none' END
         WHERE reply_state IS NULL
        """
    )
