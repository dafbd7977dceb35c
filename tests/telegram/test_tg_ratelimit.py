"""Pacing on a hand-moved clock: per chat, per group, overall, and no slot handed out twice."""

import pytest

from bot.channels.telegram.ratelimit import Limits, RateLimiter


class ManualTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def t():
    return ManualTime()


def test_one_message_a_second_per_private_chat(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    assert [limiter.reserve(7) for _ in range(3)] == [0.0, 1.0, 2.0]
    assert limiter.reserve(8) == 0.0      # another chat is not held back


def test_group_twenty_a_minute(t):
    limiter = RateLimiter(Limits(per_chat=(1, 1.0), per_group=(20, 60.0)), clock=t, sleep=t.sleep)
    delays = [limiter.reserve(-100) for _ in range(22)]
    assert delays[:20] == [float(i) for i in range(20)]
    assert delays[20] == 60.0 and delays[21] == 61.0
    # never more than 20 in any 60 s window
    times = sorted(1000.0 + d for d in delays)
    assert all(times[i + 20] - times[i] >= 60.0 for i in range(len(times) - 20))


def test_thirty_a_second_overall(t):
    limiter = RateLimiter(Limits(overall=(30, 1.0)), clock=t, sleep=t.sleep)
    delays = [limiter.reserve(chat) for chat in range(1, 66)]
    assert delays.count(0.0) == 30
    assert delays[30:60] == [1.0] * 30
    assert delays[60:] == [2.0] * 5


def test_a_future_reservation_does_not_block_an_earlier_free_slot(t):
    limiter = RateLimiter(Limits(overall=(3, 1.0)), clock=t, sleep=t.sleep)
    assert limiter.reserve(1) == 0.0
    assert limiter.reserve(1) == 1.0       # chat 1's second message waits a second
    assert limiter.reserve(2) == 0.0       # chat 2 still fits in the first second
    assert limiter.reserve(3) == 0.0       # third in the first second: still within 3/s
    assert limiter.reserve(4) == 1.0       # the first second is full now


async def test_acquire_sleeps_and_counts_the_pacing(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    await limiter.acquire(5)
    await limiter.acquire(5)
    await limiter.acquire(5)
    assert t.slept == [1.0, 1.0]
    assert limiter.waited_total == 2.0


def test_old_sends_leave_the_window(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    limiter.reserve(5)
    t.now += 5
    assert limiter.reserve(5) == 0.0
