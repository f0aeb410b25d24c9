"""The local stack's rate limits: per client IP and per intake channel, 429 past them."""

from __future__ import annotations

from infra.local.throttle import Limit, RequestLimits, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_its_rate():
    clock = Clock()
    throttle = Throttle(Limit(rate=2, burst=4), clock=clock)
    assert [throttle.allow("a") for _ in range(5)] == [True] * 4 + [False]
    assert throttle.allow("b")  # another client has its own bucket
    clock.now += 1.0  # two tokens back
    assert [throttle.allow("a") for _ in range(3)] == [True, True, False]


def test_channels_are_limited_per_channel_and_local_endpoints_never():
    limits = RequestLimits(per_ip=Limit(1000, 1000), per_channel=Limit(1, 2))
    assert limits.allow("10.0.0.1", "/channels/jaki")
    assert limits.allow("10.0.0.2", "/channels/jaki")
    assert not limits.allow("10.0.0.3", "/channels/jaki")
    assert limits.allow("10.0.0.3", "/channels/sms")
    assert all(limits.allow("10.0.0.3", "/_local/outbox") for _ in range(50))
    per_ip = RequestLimits(per_ip=Limit(1, 1), per_channel=Limit(1000, 1000))
    assert per_ip.allow("1.2.3.4", "/health") and not per_ip.allow("1.2.3.4", "/health")
