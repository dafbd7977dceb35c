"""Background loops end when they are stopped, even when a wake-up and the stop meet in one turn.

On Python 3.11 `asyncio.wait_for` drops such a cancellation; CI once hung for 90 minutes in the
outbox sender's `stop()` because of it. Every wait below is bounded by `asyncio.timeout`, so a
regression fails these tests instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from bot.aio import cancel_and_wait, wait_event

GUARD_S = 10   # a regression would wait forever; this turns it into a failure


async def test_wait_event_reports_set_and_timeout():
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    event.set()
    assert await wait_event(event, 0.01) is True


async def test_a_cancel_in_the_same_turn_as_the_wake_up_ends_the_loop():
    wake = asyncio.Event()
    rounds = 0

    async def loop_until_cancelled() -> None:
        nonlocal rounds
        while True:
            wake.clear()
            await wait_event(wake, 0.05)
            rounds += 1

    task = asyncio.create_task(loop_until_cancelled())
    await asyncio.sleep(0.01)
    wake.set()        # the wait completes ...
    task.cancel()     # ... and the stop arrives before the loop has run again
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(asyncio.CancelledError):
            await task
    assert rounds == 0


async def test_cancel_and_wait_cancels_again_a_task_that_swallowed_the_first_cancel():
    cancels = 0

    async def stubborn() -> None:
        nonlocal cancels
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancels += 1
                if cancels >= 2:
                    raise

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    async with asyncio.timeout(GUARD_S):
        assert await cancel_and_wait([task], grace=5) == []
    assert task.cancelled() and cancels == 2


async def test_a_task_that_never_stops_is_reported_not_waited_for(caplog):
    release = asyncio.Event()

    async def immortal() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(immortal(), name="immortal")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="bot.aio"):
        async with asyncio.timeout(GUARD_S):
            left = await cancel_and_wait([task], grace=0.2)
    assert left == [task] and "immortal" in caplog.text
    release.set()
    task.cancel()
    await asyncio.wait([task], timeout=GUARD_S)
    assert task.done()


async def test_what_a_cancelled_task_raised_is_retrieved(caplog):
    async def fails_on_cancel() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("cleanup failed") from None

    task = asyncio.create_task(fails_on_cancel())
    await asyncio.sleep(0)
    assert await cancel_and_wait([task]) == []
    assert task.done() and not task.cancelled()
    del task   # asyncio logs a never-retrieved exception when the task is collected
    gc.collect()
    assert "never retrieved" not in caplog.text
