import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.intellipush_sms.tools.phone_display import display_number, number_problem
from odoo.addons.intellipush_sms.tools.phone_numbers import InvalidPhoneNumber, normalize

_logger = logging.getLogger(__name__)


class IntellipushPosSms(models.Model):
    """A message a cashier sent to a customer from the register.

    The register gives each message a uuid when the cashier presses Send and
    keeps it until the server has settled it: a register that was offline
    sends its messages when it reconnects, and a message that arrives twice
    (an answer lost on the way back) is recorded and sent once. Each message
    is settled on its own: one that cannot go holds back no other.
    """

    _name = "intellipush.pos.sms"
    _description = "SMS Sent From the Point of Sale"
    _order = "id DESC"
    _rec_name = "partner_id"

    uuid = fields.Char("Register Message ID", required=True, readonly=True, copy=False)
    config_id = fields.Many2one("pos.config", "Shop", required=True, readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="config_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True, ondelete="cascade")
    template_id = fields.Many2one("sms.template", readonly=True, ondelete="set null")
    body = fields.Text("Message", readonly=True)
    employee_name = fields.Char("Employee", readonly=True)
    requested_at = fields.Datetime("Asked At", readonly=True, help="When the cashier pressed Send on the register.")
    sms_id = fields.Many2one("sms.sms", "SMS", readonly=True, ondelete="set null")
    sms_state = fields.Selection(related="sms_id.state", string="SMS Status")
    failure_reason = fields.Char("Not Sent Because", readonly=True)

    _sql_constraints = [
        ("uuid_unique", "unique(uuid)", "A message from the register is recorded once."),
    ]

    # ------------------------------------------------------------
    # Called by the register
    # ------------------------------------------------------------

    @api.model
    def intellipush_pos_prepare(self, config_id, partner_id):
        """What the Send SMS dialog shows for a customer: the number it goes
        to (or why none) and each quick template's text filled in for them."""
        config = self.env["pos.config"].browse(config_id)
        partner = self.env["res.partner"].browse(partner_id)
        bodies = {
            template.id: template._render_field("body", partner.ids, compute_lang=True)[partner.id]
            for template in config.intellipush_quick_template_ids
        }
        return {**self._intellipush_partner_number(partner, company=config.company_id), "bodies": bodies}

    @api.model
    def intellipush_pos_estimate(self, config_id, partner_id, body, template_id=False):
        """What the dialog shows under the text: ``{"estimate"}``, the cost
        line (segments and credits, or why it will not go), and
        ``{"warning"}``, why the cashier must confirm the cost first, or False."""
        config = self.env["pos.config"].browse(config_id)
        partner = self.env["res.partner"].browse(partner_id)
        purpose = self.env["sms.template"].browse(template_id).sms_purpose if template_id else "transactional"
        number = partner._sms_get_recipients_info()[partner.id]["sanitized"]
        sms_model = self.env["sms.sms"]
        body = body or ""
        reachable = sms_model._intellipush_reachable(
            [(number, partner)] if number else [], body, purpose, config.company_id
        )
        return {
            "estimate": sms_model._intellipush_describe_reachable(reachable, config.company_id),
            "warning": self.env["intellipush.credit.rate"]._cost_warning(
                config.company_id, reachable.numbers, reachable.body if body.strip() else ""
            ),
        }

    @api.model
    def intellipush_create_from_ui(self, requests):
        """Record and send the messages of the register, once per uuid, each on its own.

        :param requests: ``[{"uuid", "config_id", "partner_id", "template_id",
            "body", "employee_id", "requested_at"}]``; a message without text
            takes its template's, filled in for the customer now
        :return: ``[{"uuid", "state", "reason"}]``, one per uuid in the order
            sent: the state of its SMS (sent now or before), ``"error"`` or
            ``"canceled"`` with the reason it does not go; the register forgets
            those. ``"retry"``: the server could not handle it now, the
            register keeps it and sends it again later.
        """
        valid = [request for request in requests if self._intellipush_is_request(request)]
        known = self.search([("uuid", "in", [request["uuid"] for request in valid])])
        outcomes = {record.uuid: record._intellipush_outcome() for record in known}
        configs = self.env["pos.config"].browse({request["config_id"] for request in valid}).exists()
        partners = self.env["res.partner"].browse({request["partner_id"] for request in valid}).exists()
        uuids = {}  # each uuid once, in the order of the requests
        new_vals = {}
        for request in requests:
            uuid = request.get("uuid") if isinstance(request, dict) else None
            if not isinstance(uuid, str) or uuid in uuids:
                continue
            uuids[uuid] = True
            if uuid in outcomes:
                continue
            if not self._intellipush_is_request(request):
                # Settled too, or the register would send it forever.
                outcomes[uuid] = ("error", self.env._("The register sent an incomplete message."))
            elif request["config_id"] not in configs.ids or request["partner_id"] not in partners.ids:
                # Deleted while the register was offline: nothing to send, nothing to keep.
                outcomes[uuid] = ("error", self.env._("The customer or the shop no longer exists."))
            elif refusal := self._intellipush_refusal(configs.browse(request["config_id"]), request["partner_id"]):
                outcomes[uuid] = ("error", refusal)
            else:
                new_vals[uuid] = self._intellipush_prepare_vals(request)
        outcomes.update(self._intellipush_record_and_send(list(new_vals.values())))
        return [{"uuid": uuid, "state": outcomes[uuid][0], "reason": outcomes[uuid][1]} for uuid in uuids]

    @api.model
    def _intellipush_refusal(self, config, partner_id):
        """Why the cashier may not send this shop's message to this customer, or None."""
        if not config.has_access("read"):
            return self.env._("You may not use the register of this shop.")
        partner = self.env["res.partner"].browse(partner_id)
        partner_company_sudo = partner.sudo().company_id
        if partner_company_sudo and partner_company_sudo != config.company_id:
            return self.env._("The customer is a contact of another company.")
        if not partner.has_access("read"):
            return self.env._("You may not see this customer.")
        return None

    @api.model
    def _intellipush_record_and_send(self, vals_list):
        """``{uuid: (state, reason)}`` of these new messages: recorded and sent
        together, or, when that fails, each on its own, so that one that
        cannot go holds back no other."""
        if not vals_list:
            return {}
        try:
            with self.env.cr.savepoint():
                records = self.create(vals_list)
                records._intellipush_send()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # Odoo runs the whole call again
        except Exception as error:
            if len(vals_list) > 1:
                outcomes = {}
                for vals in vals_list:
                    outcomes.update(self._intellipush_record_and_send([vals]))
                return outcomes
            uuid = vals_list[0]["uuid"]
            if isinstance(error, UserError):
                return {uuid: ("error", error.args[0])}
            # Not the message's fault, as far as anyone knows: the register tries again later.
            _logger.exception("Quick SMS %s from the register failed; the register keeps it", uuid)
            return {uuid: ("retry", self.env._("The server could not send it now; the register tries again later."))}
        return {record.uuid: record._intellipush_outcome() for record in records}

    def _intellipush_outcome(self):
        """(state, reason) for the register: the SMS's status, and why it did
        not go (no SMS at all, or one the consent and blacklist rules refused)."""
        self.ensure_one()
        sms_sudo = self.sms_id.sudo()
        return self.sms_state or "error", self.failure_reason or sms_sudo.failure_reason or False

    @api.model
    def _intellipush_is_request(self, request):
        return (
            isinstance(request, dict)
            and isinstance(request.get("uuid"), str)
            and 8 <= len(request["uuid"]) <= 64
            and isinstance(request.get("config_id"), int)
            and isinstance(request.get("partner_id"), int)
            and isinstance(request.get("template_id") or 0, int)
            and isinstance(request.get("body") or "", str)
        )

    @api.model
    def _intellipush_prepare_vals(self, request):
        config = self.env["pos.config"].browse(request["config_id"])
        # A template the shop no longer offers is left out (its text may still be there).
        template = (
            self.env["sms.template"].browse(request.get("template_id") or []) & config.intellipush_quick_template_ids
        )
        try:
            requested_at = fields.Datetime.to_datetime(request.get("requested_at") or False)
        except ValueError:
            requested_at = None
        now = fields.Datetime.now()
        return {
            "uuid": request["uuid"],
            "config_id": config.id,
            "partner_id": request["partner_id"],
            "template_id": template.id,
            "body": (request.get("body") or "").strip(),
            "employee_name": config._intellipush_cashier_name(request.get("employee_id")),
            "requested_at": min(requested_at, now) if requested_at else now,
        }

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    @api.model
    def _intellipush_partner_number(self, partner, info=None, company=None):
        """``{"number": "+47 412 34 567"}`` where the customer's mobile can
        receive SMS, else ``{"reason": ...}``. ``info`` is the customer's
        ``_sms_get_recipients_info()`` entry when the caller has it already."""
        info = info or partner._sms_get_recipients_info()[partner.id]
        if info["sanitized"]:
            company = company or self.env.company
            try:
                # Odoo's check takes a landline; the gateway would refuse it.
                normalize(
                    info["sanitized"],
                    company._intellipush_phone_region(),
                    mobile_only=company._intellipush_mobile_only(),
                )
            except InvalidPhoneNumber as error:
                return {
                    "number": False,
                    "reason": self.env._(
                        "%(number)s cannot receive SMS: %(problem)s.",
                        number=display_number(info["sanitized"]),
                        problem=number_problem(self.env, error),
                    ),
                }
            return {"number": display_number(info["sanitized"]), "reason": False}
        if info["number"]:
            return {"number": False, "reason": self.env._("%s is not a valid mobile number.", info["number"])}
        return {"number": False, "reason": self.env._("No mobile number on this customer.")}

    def _intellipush_send(self):
        """Post each message on its customer's chatter as an SMS through the gateway."""
        recipients = self.partner_id._sms_get_recipients_info()
        numbers = {request: recipients[request.partner_id.id]["sanitized"] for request in self}
        # The outcome is the server's to write: cashiers only create these records.
        for request in self.filtered(lambda request: not numbers[request]):
            reason = self._intellipush_partner_number(request.partner_id, recipients[request.partner_id.id])["reason"]
            request.sudo().failure_reason = reason
        reachable = self.filtered(lambda request: numbers[request])
        # A message without text (from an offline register) takes its
        # template's, filled in for its customer now.
        untyped = reachable.filtered(lambda request: not request.body and request.template_id)
        for template, requests in untyped.grouped("template_id").items():
            bodies = template._render_field("body", requests.partner_id.ids, compute_lang=True)
            for request in requests:
                request.sudo().body = bodies[request.partner_id.id]
        empty = reachable.filtered(lambda request: not request.body)
        empty.sudo().failure_reason = self.env._("The message was empty.")
        for request in reachable - empty:
            # Posted by the server in the cashier's name: a cashier may send to a
            # customer they cannot edit, and needs no e-mail address of their own.
            partner_sudo = request.partner_id.sudo()
            sms_sudo = partner_sudo._intellipush_post_sms(
                {partner_sudo.id: request.body},
                purpose=request.template_id.sms_purpose or "transactional",
                recipients={partner_sudo.id: recipients[partner_sudo.id]},
                author_id=self.env.user.partner_id.id,
            )
            request.sudo().sms_id = sms_sudo[:1]
