"""The in-process rate limiter of public routes."""

import threading

import pytest

from intellipush_sms.tools.rate_limit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_rate_limiter_lets_a_burst_through_then_one_per_interval():
    clock = Clock()
    limiter = RateLimiter(capacity=3, interval=10, clock=clock)
    assert [limiter.hit("198.51.100.7").wait for _hit in range(3)] == [0, 0, 0]
    assert limiter.hit("198.51.100.7") == (pytest.approx(10), 1)
    assert limiter.check("198.51.100.7") == (pytest.approx(10), 2), "a refusal counts, a check takes nothing"
    assert limiter.hit("203.0.113.9").wait == 0, "another key has its own bucket"

    clock.now += 4
    assert limiter.hit("198.51.100.7") == (pytest.approx(6), 3)
    clock.now += 6
    assert limiter.check("198.51.100.7") == (0, 0)
    assert limiter.hit("198.51.100.7") == (0, 0)
    assert limiter.hit("198.51.100.7").wait > 0
    clock.now += 3600
    assert [limiter.hit("198.51.100.7").wait for _hit in range(4)] == [0, 0, 0, pytest.approx(10)]


def test_rate_limiter_memory_stays_bounded():
    clock = Clock()
    limiter = RateLimiter(capacity=1, interval=60, max_keys=100, clock=clock)
    for index in range(1000):
        limiter.hit(index)
    assert len(limiter) == 100
    assert limiter.check(999).wait > 0, "the most recent keys are kept"
    assert limiter.check(0).wait == 0, "the oldest are forgotten"
    assert len(limiter) == 100, "a check that lets through keeps nothing"
    limiter.clear()
    assert len(limiter) == 0


def test_rate_limiter_counts_every_hit_from_many_threads():
    limiter = RateLimiter(capacity=50, interval=3600)
    allowed = []

    def knock():
        allowed.extend(hit.wait == 0 for hit in (limiter.hit("door") for _hit in range(20)))

    threads = [threading.Thread(target=knock) for _thread in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 50
