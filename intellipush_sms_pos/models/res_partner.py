from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.intellipush_sms.tools.phone_display import display_number, number_problem
from odoo.addons.intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The partner list shows who said yes to SMS offers.
        return [*super()._load_pos_data_fields(config_id), "sms_consent_state"]

    @api.model
    def _sms_default_consent_channel(self):
        # The POS opens its customer editor with its shop in the context.
        if self.env.context.get("intellipush_pos_config_id"):
            return "pos"
        return super()._sms_default_consent_channel()

    @api.model
    def _sms_default_consent_proof(self, state, channel):
        # A consent changed in the customer form opened from the register is
        # documented by the register itself: the shop and who recorded it.
        config = self.env["pos.config"]._intellipush_from_context() if channel == "pos" else None
        if config and state in ("granted", "withdrawn"):
            cashier = config._intellipush_cashier_name(self.env.context.get("intellipush_pos_employee_id"))
            return config._intellipush_consent_proof(cashier, state)
        return super()._sms_default_consent_proof(state, channel)

    @api.model
    def intellipush_pos_check_mobile(self, number, config_id):
        """Can ``number`` receive SMS? The POS asks while the cashier types.

        Numbers without a prefix belong to the shop company's SMS country.

        :return: ``{"valid": True, "formatted": "+47 412 34 567"}`` or
            ``{"valid": False, "reason": "for få sifre"}`` (for people, in
            the cashier's language)
        """
        config = self.env["pos.config"].browse(config_id)
        company = config.company_id
        try:
            phone = normalize(
                number, company._intellipush_phone_region(), mobile_only=company._intellipush_mobile_only()
            )
        except InvalidPhoneNumber as error:
            return {"valid": False, "reason": number_problem(self.env, error)}
        return {"valid": True, "formatted": display_number(phone.e164)}

    @api.model
    def intellipush_pos_save_sms_details(self, partner_id, mobile, consent, config_id, employee_id=False):
        """Save the mobile number and the marketing consent a customer gave at the counter.

        The consent is logged with channel "Point of Sale", the shop, the
        employee and the time. Switching it off withdraws a consent given
        before; a customer who never consented stays without consent.

        :return: the customer as the POS loads it, ``{"res.partner": [values]}``
        """
        partner = self.browse(partner_id)
        config = self.env["pos.config"].browse(config_id)
        check = self.intellipush_pos_check_mobile(mobile, config_id)
        if not check["valid"]:
            raise UserError(
                self.env._("%(number)s cannot receive SMS: %(reason)s.", number=mobile, reason=check["reason"])
            )
        if partner.mobile != check["formatted"]:
            partner.mobile = check["formatted"]
        state = "granted" if consent else ("withdrawn" if partner.sms_consent_state == "granted" else None)
        if state:
            cashier = config._intellipush_cashier_name(employee_id)
            partner.with_context(
                intellipush_pos_config_id=config.id, intellipush_pos_employee_id=employee_id
            )._sms_set_consent(state, "pos", proof=config._intellipush_consent_proof(cashier, state))
        return {"res.partner": partner.read(self._load_pos_data_fields(config.id), load=False)}
