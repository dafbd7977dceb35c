"""The throttling and text-length middlewares on their own: windows on a fake clock, one notice per
window, users independent, a handler's own limit, and the length check (Dispatcher tests are in
tests/telegram/test_access_flood.py)."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message

from bot.channels.telegram.middlewares.text_limit import TextLimitMiddleware
from bot.channels.telegram.middlewares.throttling import ThrottlingMiddleware


class Said:
    """Stands in for the Replier and Wording the middlewares find in the handler data."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def text(self, chat_id: int, text: str, **_: Any) -> bool:
        self.sent.append((chat_id, text))
        return True

    def __call__(self, key: str, **values: Any) -> str:
        return f"{key} {values}"


def message(user_id: int, text: str = "你好") -> Message:
    return Message.model_validate({"message_id": 1, "date": 0, "text": text,
                                   "chat": {"id": user_id, "type": "private"},
                                   "from": {"id": user_id, "is_bot": False, "first_name": "工友"}})


class Run:
    def __init__(self, middleware: Any) -> None:
        self.middleware = middleware
        self.said = Said()
        self.handled: list[int] = []

    async def __call__(self, user_id: int, text: str = "你好", flags: dict[str, Any] | None = None) -> None:
        async def handler(event: Any, data: dict[str, Any]) -> None:
            self.handled.append(user_id)
        data: dict[str, Any] = {"replier": self.said, "wording": self.said}
        if flags is not None:
            data["handler"] = type("H", (), {"flags": flags})()
        await self.middleware(handler, message(user_id, text), data)


async def test_limit_per_window_one_notice_then_silence_then_room_again():
    now = [0.0]
    run = Run(ThrottlingMiddleware(limit=3, period=60.0, clock=lambda: now[0]))
    for _ in range(10):
        await run(1)
    assert run.handled == [1, 1, 1]
    assert [text.split()[0] for _, text in run.said.sent] == ["tg.flood"]
    now[0] = 59.0
    await run(1)
    assert len(run.handled) == 3 and len(run.said.sent) == 1         # still inside the window: silent
    now[0] = 60.5
    await run(1)
    assert len(run.handled) == 4


async def test_users_are_counted_apart():
    now = [0.0]
    run = Run(ThrottlingMiddleware(limit=2, period=60.0, clock=lambda: now[0]))
    for _ in range(50):
        await run(1)
    for _ in range(2):
        await run(2)
    assert run.handled.count(1) == 2 and run.handled.count(2) == 2
    assert [chat for chat, _ in run.said.sent] == [1]


async def test_a_handler_flag_sets_its_own_limit():
    now = [0.0]
    run = Run(ThrottlingMiddleware(limit=2, period=60.0, clock=lambda: now[0]))
    for _ in range(5):
        await run(1, flags={"throttle": (4, 60.0)})
    assert run.handled.count(1) == 4


async def test_text_length_is_checked_in_characters_not_bytes():
    run = Run(TextLimitMiddleware(10))
    await run(1, "工" * 10)
    await run(1, "工" * 11)
    assert run.handled == [1]
    assert run.said.sent == [(1, "tg.text_too_long {'length': 11, 'limit': 10}")]
