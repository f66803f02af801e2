"""A bounded, in-process rate limiter for public routes: no database write per request.

Plain Python: no Odoo import. Used by the door endpoint (wrong API keys) and
the short-link redirect (codes that lead nowhere).
"""

import threading
import time
from collections import OrderedDict
from typing import NamedTuple


class Hit(NamedTuple):
    wait: float  # seconds before the key may go on; 0 when this hit went through
    refused: int  # hits refused in a row, this one included


class RateLimiter:
    """Token buckets per key (a client address, a resource id), in memory:
    ``capacity`` hits at once, then one per ``interval`` seconds. It keeps at
    most ``max_keys`` buckets and forgets the least recently hit first, so its
    memory stays bounded however many addresses or ids are tried. Per process:
    each Odoo worker has its own."""

    def __init__(self, capacity, interval, max_keys=10000, clock=time.monotonic):
        self.capacity = capacity
        self.interval = interval
        self.max_keys = max_keys
        self._clock = clock
        self._buckets = OrderedDict()  # key: (tokens, updated_at, refused)
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._buckets)

    def _tokens(self, key, now):
        tokens, updated_at, refused = self._buckets.get(key, (self.capacity, now, 0))
        return min(self.capacity, tokens + (now - updated_at) / self.interval), refused

    def check(self, key):
        """Whether ``key`` may go on, without taking a token (a refusal counts)."""
        return self._hit(key, take=False)

    def hit(self, key):
        """Take a token for ``key`` if there is one."""
        return self._hit(key, take=True)

    def _hit(self, key, take):
        with self._lock:
            now = self._clock()
            tokens, refused = self._tokens(key, now)
            if tokens >= 1:
                if not take:
                    return Hit(0, 0)
                hit = Hit(0, 0)
                tokens -= 1
            else:
                hit = Hit((1 - tokens) * self.interval, refused + 1)
            self._buckets[key] = (tokens, now, hit.refused)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return hit

    def clear(self):
        with self._lock:
            self._buckets.clear()
