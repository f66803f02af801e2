-- A copied database must never send SMS with the production account.
UPDATE res_company
   SET intellipush_api_id = NULL,
       intellipush_api_secret = NULL;
UPDATE ir_cron
   SET active = FALSE
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'intellipush_sms' AND model = 'ir.cron');
-- Door controllers must not be able to open anything through a copy.
UPDATE intellipush_access_resource
   SET api_key_hash = NULL;
