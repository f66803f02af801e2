from odoo import fields, models


class IntellipushAccessKeyShow(models.AbstractModel):
    """Shows a resource's new API key once, from the action's context: the key
    is never written to the database (like ``res.users.apikeys.show``)."""

    _name = "intellipush.access.key.show"
    _description = "Show an Access Resource's API Key"

    # The onchange that fills the form needs an id field.
    id = fields.Id()
    key = fields.Char("API Key", readonly=True)
    validation_url = fields.Char("Validation URL", readonly=True)
