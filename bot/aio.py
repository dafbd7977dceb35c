"""Two asyncio helpers that stop a background loop from outliving its `stop()`.

Python 3.11's `asyncio.wait_for` swallows a cancellation that arrives in the same turn as the
awaited thing completing (python/cpython#86296, fixed in 3.12): the sender's loop, woken by a
new outbox row just as shutdown cancelled it, went on looping and `stop()` waited for it forever.
CI hung on exactly that. `wait_event` waits with `asyncio.timeout`, which does not lose the
cancel; `cancel_and_wait` cancels again until a task ends and never waits without a bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

#: how long `cancel_and_wait` waits, in all, for tasks that keep running after being cancelled
CANCEL_GRACE_S = 10.0


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` pass; True when it was set.

    A cancellation of the caller always propagates, whatever else happens in that turn."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def cancel_and_wait(tasks: Iterable[asyncio.Task[object] | asyncio.Future[object]],
                          grace: float = CANCEL_GRACE_S) -> list[asyncio.Future[object]]:
    """Cancel `tasks` and wait for them to end; returns those still running after `grace` seconds.

    A task that swallows its cancellation is cancelled again on each round. What it raises is
    dropped (the caller is shutting down); a task that will not stop is logged, not waited on."""
    tasks = list(tasks)
    pending = {t for t in tasks if not t.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while pending:
        for task in pending:
            task.cancel()
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=min(remaining, 0.5))
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()      # seen: asyncio would otherwise log "exception was never retrieved"
    for task in pending:
        log.error("task %s did not stop within %.0f s of being cancelled", _name(task), grace)
    return list(pending)


def _name(task: asyncio.Future[object]) -> str:
    return task.get_name() if isinstance(task, asyncio.Task) else repr(task)
