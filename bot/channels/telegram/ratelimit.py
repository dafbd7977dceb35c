"""Pacing for Telegram's limits: ~1 msg/s per chat, 20 msg/min per group, ~30 msg/s overall.

Overall sends are also spread at least 1/30 s apart: a window alone lets 30 leave at the top of
each second, and with network jitter Telegram then saw up to 37 arrive within one second
(e2e_bench pass 3); spread out, any second holds at most 30 (31 with jitter).

Each limit is a sliding window ("at most N sends in any P seconds"). A send is recorded at the
moment it really goes out: `acquire` takes a slot only when every window it touches has room
*now* (checked and recorded with no await in between, so concurrent callers never share a slot);
otherwise it sleeps until the earliest moment one could free up and asks again. A late wake-up
(a busy event loop) therefore never lets two windows' worth of messages leave together. Time
comes from an injectable monotonic clock and sleep, so tests move time by hand.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

EPSILON = 1e-9     # float slack: a slot computed as `last + period` must count as free


@dataclass(frozen=True, slots=True)
class Limits:
    per_chat: tuple[int, float] = (1, 1.0)        # private and group chats alike: one message a second
    per_group: tuple[int, float] = (20, 60.0)     # groups (negative chat ids): 20 a minute
    overall: tuple[int, float] = (30, 1.0)        # the whole bot
    spacing: float = 1 / 30                       # the whole bot: seconds between two sends (0 = bursts allowed)

    @classmethod
    def unlimited(cls) -> Limits:
        """For benchmarks that measure handling without pacing."""
        return cls(per_chat=(10**9, 1.0), per_group=(10**9, 1.0), overall=(10**9, 1.0), spacing=0.0)


class Window:
    """At most `limit` events in any `period` seconds; holds past and reserved future times."""

    __slots__ = ("limit", "period", "times")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: list[float] = []

    def prune(self, now: float) -> None:
        cut = bisect.bisect_right(self.times, now - self.period)
        if cut:
            del self.times[:cut]

    def allows(self, t: float) -> bool:
        """Would one more event at `t` keep every `limit + 1` consecutive events `period` apart?"""
        times = self.times
        if len(times) < self.limit:
            return True
        k = bisect.bisect_right(times, t)          # position `t` would take
        merged_before = times[max(0, k - self.limit):k]
        merged_after = times[k:k + self.limit]
        run = [*merged_before, t, *merged_after]
        n = self.limit
        return all(run[i + n] - run[i] >= self.period - EPSILON for i in range(len(run) - n))

    def candidates(self, now: float) -> list[float]:
        return [r + self.period for r in self.times if r + self.period > now]

    def add(self, t: float) -> None:
        bisect.insort(self.times, t)


class RateLimiter:
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.sleep = sleep
        self._overall = [Window(*self.limits.overall)]
        if self.limits.spacing > 0:
            self._overall.append(Window(1, self.limits.spacing))
        self._chats: dict[int, list[Window]] = {}
        self.waited_total = 0.0          # seconds of pacing so far (reported by the benchmark)
        self.sends = 0

    def _windows(self, chat_id: int) -> list[Window]:
        windows = self._chats.get(chat_id)
        if windows is None:
            windows = [Window(*self.limits.per_chat)]
            if chat_id < 0:
                windows.append(Window(*self.limits.per_group))
            self._chats[chat_id] = windows
        return [*self._overall, *windows]

    def try_take(self, chat_id: int) -> float:
        """Take a slot for one message to `chat_id` now if every limit allows (returns 0.0), else
        return how long to wait before asking again (nothing is taken)."""
        now = self.clock()
        windows = self._windows(chat_id)
        for window in windows:
            window.prune(now)
        if all(w.allows(now) for w in windows):
            for window in windows:
                window.add(now)
            self._forget_idle(now)
            self.sends += 1
            return 0.0
        options = sorted({c for w in windows for c in w.candidates(now)})
        later = next((t for t in options if all(w.allows(t) for w in windows)), options[-1] if options else now)
        return max(later - now, 1e-3)

    async def acquire(self, chat_id: int) -> float:
        """Wait for a slot and take it; returns the seconds waited."""
        waited = 0.0
        while (delay := self.try_take(chat_id)) > 0:
            await self.sleep(delay)
            waited += delay
        self.waited_total += waited
        return waited

    def _forget_idle(self, now: float) -> None:
        if len(self._chats) < 4096:
            return
        for chat_id in [c for c, ws in self._chats.items() if all(not w.times or w.times[-1] < now - w.period for w in ws)]:
            del self._chats[chat_id]
