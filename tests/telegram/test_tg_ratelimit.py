"""Pacing on a hand-moved clock: per chat, per group, overall, and no slot handed out twice."""

import asyncio
import itertools

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


async def send_times(limiter, t, chats):
    """When each message really goes out if they are sent one after the other."""
    times = []
    for chat in chats:
        await limiter.acquire(chat)
        times.append(round(t.now - 1000.0, 6))
    return times


async def test_one_message_a_second_per_private_chat(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    assert await send_times(limiter, t, [7, 7, 7]) == [0.0, 1.0, 2.0]
    assert limiter.try_take(8) <= 1 / 30   # another chat is not held back (only spread out)


async def test_group_twenty_a_minute(t):
    limiter = RateLimiter(Limits(per_chat=(1, 1.0), per_group=(20, 60.0)), clock=t, sleep=t.sleep)
    times = await send_times(limiter, t, [-100] * 22)
    assert times[:20] == [float(i) for i in range(20)]
    assert times[20] == 60.0 and times[21] == 61.0
    assert all(times[i + 20] - times[i] >= 60.0 for i in range(len(times) - 20))


async def test_thirty_a_second_overall(t):
    limiter = RateLimiter(Limits(overall=(30, 1.0), spacing=0.0), clock=t, sleep=t.sleep)
    assert [limiter.try_take(chat) for chat in range(1, 31)] == [0.0] * 30
    assert limiter.try_take(31) == 1.0          # the 31st waits for the first to leave the window
    t.now += 1.0
    assert limiter.try_take(31) == 0.0


async def test_overall_sends_are_spread_out_not_burst(t):
    """Thirty at the top of each second would reach Telegram bunched (jitter puts more than 30 in
    one second); spread 1/30 s apart, no second holds more than 30."""
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    times = await send_times(limiter, t, list(range(1, 92)))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 30 - 1e-6        # send_times rounds to microseconds
    assert max(sum(1 for x in times if start <= x < start + 1.0 - 1e-6) for start in times) <= 30
    assert times[-1] == pytest.approx(3.0, abs=1e-6)     # and no slower than 30 a second


def test_a_refused_try_takes_nothing(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    assert limiter.try_take(5) == 0.0
    assert limiter.try_take(5) == 1.0
    assert limiter.try_take(5) == 1.0          # asking again did not book anything
    assert limiter.sends == 1


async def test_concurrent_senders_never_exceed_a_window(t):
    limiter = RateLimiter(Limits(overall=(3, 1.0)), clock=t, sleep=t.sleep)
    sent: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat)
        sent.append(t.now)

    await asyncio.gather(*(one(chat) for chat in range(1, 11)))
    sent.sort()
    assert len(sent) == 10
    assert all(sent[i + 3] - sent[i] >= 1.0 for i in range(len(sent) - 3))


async def test_a_late_wake_up_counts_when_the_message_really_leaves(t):
    """The loop was busy: the sender woke 5 s late. Its send is booked at that moment, so the next
    one to the same chat still waits a full second after it."""
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    await limiter.acquire(9)
    t.now += 5.0
    await limiter.acquire(9)
    assert limiter.try_take(9) == 1.0


async def test_acquire_counts_the_pacing(t):
    limiter = RateLimiter(Limits(), clock=t, sleep=t.sleep)
    for _ in range(3):
        await limiter.acquire(5)
    assert t.slept == [1.0, 1.0]
    assert limiter.waited_total == 2.0
