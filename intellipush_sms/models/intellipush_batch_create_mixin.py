from odoo import models

_MEMO_KEY = "intellipush_batch_defaults"


class IntellipushBatchCreateMixin(models.AbstractModel):
    """Defaults looked up once per batch of records created, not once per record.

    Odoo's ``create`` asks ``default_get`` for every record, over every field
    the record's values leave out: for a campaign's thousands of SMS and
    traces that is a fifth of their creation. Records of one ``create`` call
    share their environment, hence their defaults, except those listed in
    ``_intellipush_fresh_defaults`` (a new UUID each), which are still looked
    up record by record. For models without properties fields nor
    ``_inherits``, whose defaults do not depend on the other values.
    """

    _name = "intellipush.batch.create.mixin"
    _description = "Defaults Looked Up Once per Batch Created"

    # Fields whose default differs from one record to the next.
    _intellipush_fresh_defaults = ()

    def _prepare_create_values(self, vals_list):
        memo_key = (_MEMO_KEY, self._name, self.env)
        cache = self.env.cr.cache
        # One record has nothing to share. A call nested in one that memoises
        # already (a default or precompute creating the same model) uses the
        # outer memo, and must not drop it when it returns.
        if len(vals_list) < 2 or memo_key in cache:
            return super()._prepare_create_values(vals_list)
        cache[memo_key] = {}
        try:
            return super()._prepare_create_values(vals_list)
        finally:
            del cache[memo_key]

    def _add_missing_default_values(self, values):
        memo = self.env.cr.cache.get((_MEMO_KEY, self._name, self.env))
        if memo is None:
            return super()._add_missing_default_values(values)
        names = frozenset(values)
        shared = memo.get(names)
        if shared is None:
            defaults = super()._add_missing_default_values(dict.fromkeys(names))
            shared = memo[names] = {
                name: value
                for name, value in defaults.items()
                if name not in names and name not in self._intellipush_fresh_defaults
            }
        fresh = [name for name in self._intellipush_fresh_defaults if name not in names]
        return {**shared, **(self.default_get(fresh) if fresh else {}), **values}
