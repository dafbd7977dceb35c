"""Terminal input and output for the console channels, usable with real or fake streams.

Lines are read by a daemon thread and handed to the event loop through a queue, so the loop can
print outbox messages while the person is typing, and Ctrl-C or the end of a pipe never leaves a
thread blocking the exit. Everything printed passes through `safe()`: text from workers or staff
must not carry terminal escape sequences.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.aio import cancel_and_wait

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Plain text for a terminal: no control characters (ANSI escapes, bidi overrides); newlines kept."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_number(text: str) -> int | None:
    """"3", "３", " 3 " → 3; anything else → None."""
    value = unicodedata.normalize("NFKC", text).strip().rstrip(".)、")
    return int(value) if value.isdigit() and len(value) <= 3 else None


class ConsoleIO:
    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = bool(getattr(stdin, "isatty", lambda: False)())
        self._queue: asyncio.Queue[str | None] | None = None
        self._at_prompt = False      # a prompt is shown and nothing typed yet: start output on a new line

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        queue = self._queue

        def read() -> None:
            try:
                while True:
                    line = self.stdin.readline()
                    if not line:
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
            except (OSError, ValueError, UnicodeDecodeError):
                pass
            finally:
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, None)
                except RuntimeError:      # the loop is already closed: nobody is waiting
                    pass

        threading.Thread(target=read, name="console-stdin", daemon=True).start()

    async def readline(self) -> str | None:
        """The next line without its newline, or None at the end of input."""
        assert self._queue is not None, "call start() first"
        line = await self._queue.get()
        self._at_prompt = False
        return line

    def write(self, text: str = "") -> None:
        if self._at_prompt:
            self.stdout.write("\n")
            self._at_prompt = False
        self.stdout.write(safe(text) + "\n")
        self.stdout.flush()

    def prompt(self, label: str) -> None:
        if self.interactive:
            self.stdout.write(label)
            self.stdout.flush()
            self._at_prompt = True

    def echo(self, label: str, line: str) -> None:
        """Show what was read when input is piped, so a transcript reads like a conversation."""
        if not self.interactive:
            self.write(f"{label}{line}")

    async def serve(self, prompt: str, on_line: Callable[[str], Awaitable[bool]],
                    drain: Callable[[], Awaitable[int]], poll_interval: float) -> None:
        """Read lines until the input ends or `on_line` returns False. Meanwhile, every
        `poll_interval` seconds, `drain` prints what arrived (the prompt is shown again after it)."""

        async def poll() -> None:
            while True:
                await asyncio.sleep(poll_interval)
                try:
                    if await drain():
                        self.prompt(prompt)
                except Exception:  # a failed poll must not end the session; the next one retries
                    log.exception("console outbox poll failed")

        poller = asyncio.create_task(poll())
        try:
            while True:
                self.prompt(prompt)
                line = await self.readline()
                if line is None:
                    break
                if not line.strip():
                    continue
                self.echo(prompt, line)
                if not await on_line(line):
                    break
        finally:
            await cancel_and_wait([poller])
