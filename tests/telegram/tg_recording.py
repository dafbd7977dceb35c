"""A bot that records every Bot API request instead of sending it (after aiogram's tests/mocked_bot.py).

`RecordingSession` keeps each method object in `requests` and answers from a per-method queue
filled with `add_result_for(Method, ok=..., result=..., error_code=..., retry_after=...)`; the
normal `check_response` runs on that answer, so a queued 429 raises the real `TelegramRetryAfter`
and a 403 the real `TelegramForbiddenError`. Methods with nothing queued get a plausible default
answer (a message with a fresh id for sends, True for the rest), so tests queue only what matters.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    CreateForumTopic,
    GetChat,
    GetChatMember,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    AcceptedGiftTypes,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberRestricted,
    ResponseParameters,
    User,
)

TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKEN_-0123"
BOT_ID = 123456789


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: deque[TelegramMethod[Any]] = deque()
        self.responses: dict[type, deque[Response[Any]]] = defaultdict(deque)
        self.members: dict[int, str] = {}          # user id -> status in any chat asked with getChatMember
        self.forum = True
        self.errors: dict[type, deque[BaseException | None]] = defaultdict(deque)   # None: answer normally
        self.closed = True
        self._ids = itertools.count(1000)

    def add_result(self, method: type[TelegramMethod[Any]], response: Response[Any]) -> Response[Any]:
        self.responses[method].append(response)
        return response

    async def close(self) -> None:
        self.closed = True

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> TelegramType:  # noqa: ASYNC109
        self.closed = False
        self.requests.append(method)
        if self.errors.get(type(method)):
            error = self.errors[type(method)].popleft()
            if error is not None:
                raise error
        queue = self.responses.get(type(method))
        if queue:
            response = queue.popleft()
            content = response.model_dump_json(exclude_none=True)
            status = response.error_code or 200
        else:
            content = json.dumps({"ok": True, "result": self.default_result(bot, method)})
            status = 200
        checked = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return checked.result  # type: ignore[return-value]

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,  # noqa: ASYNC109
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        yield b""

    def default_result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        now = int(datetime.now(UTC).timestamp())
        if isinstance(method, (SendMessage, SendPhoto, SendDocument)):
            chat_id = int(method.chat_id)
            message: dict[str, Any] = {
                "message_id": next(self._ids), "date": now,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "工友"},
            }
            if isinstance(method, SendMessage):
                message["text"] = method.text
            if getattr(method, "message_thread_id", None):
                message["message_thread_id"] = method.message_thread_id
                message["is_topic_message"] = True
            return message
        if isinstance(method, CreateForumTopic):
            return {"message_thread_id": next(self._ids), "name": method.name, "icon_color": 7322096}
        if isinstance(method, GetChatMember):
            status = self.members.get(int(method.user_id), "left")
            user = {"id": int(method.user_id), "is_bot": False, "first_name": "U"}
            model = {"restricted": ChatMemberRestricted, "administrator": ChatMemberAdministrator}.get(status)
            extra = {"until_date": 0, **_required_flags(model)} if model else {}
            return {"status": status, "user": user, **extra}
        if isinstance(method, GetChat):
            return {"id": int(method.chat_id), "type": "supergroup", "title": "工会值班群", "is_forum": self.forum,
                    "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _required_flags(AcceptedGiftTypes),
                    **_required_flags(ChatFullInfo)}
        if isinstance(method, GetMe):
            return {"id": BOT_ID, "is_bot": True, "first_name": "工友", "username": "gongyou_test_bot"}
        return True


def _required_flags(model: Any) -> dict[str, bool]:
    """True for every required yes/no field of an aiogram type (they grow with each Bot API version)."""
    return {name: True for name, f in model.model_fields.items() if f.is_required() and f.annotation is bool}


class RecordingBot(Bot):
    session: RecordingSession

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(TOKEN, session=RecordingSession(),
                         default=DefaultBotProperties(parse_mode=ParseMode.HTML), **kwargs)
        self._me = User(id=BOT_ID, is_bot=True, first_name="工友", username="gongyou_test_bot")

    def add_result_for(
        self,
        method: type[TelegramMethod[TelegramType]],
        ok: bool,
        result: Any = None,
        description: str | None = None,
        error_code: int = 200,
        migrate_to_chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> Response[Any]:
        response = Response[method.__returning__](  # type: ignore[name-defined]
            ok=ok, result=result, description=description, error_code=error_code,
            parameters=ResponseParameters(migrate_to_chat_id=migrate_to_chat_id, retry_after=retry_after),
        )
        return self.session.add_result(method, response)

    def raise_for(self, method: type[TelegramMethod[Any]], error: BaseException | None) -> None:
        """The next call of `method` fails with `error` (e.g. a TelegramNetworkError), as the HTTP layer would.

        Queue `None` first to let calls through normally before the failing one."""
        self.session.errors[method].append(error)

    # --- reading what was sent -----------------------------------------------------------------
    def calls(self, method: type[TelegramMethod[Any]] | None = None) -> list[Any]:
        return [r for r in self.session.requests if method is None or isinstance(r, method)]

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.calls(SendMessage) if int(m.chat_id) == chat_id]

    def clear(self) -> None:
        self.session.requests.clear()
