"""Update objects as Telegram would send them, for `Dispatcher.feed_update` in unit tests."""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiogram.types import Update

_ids = itertools.count(1)


def _user(user_id: int, name: str = "") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name or f"用户{user_id}"}


def _update(**payload: Any) -> Update:
    return Update.model_validate({"update_id": next(_ids), **payload})


def _text(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return fields


def private(user_id: int, text: str | None = None, *, name: str = "", **fields: Any) -> Update:
    message = {"message_id": next(_ids), "date": int(time.time()),
               "chat": {"id": user_id, "type": "private", "first_name": name or f"用户{user_id}"},
               "from": _user(user_id, name), **(_text(text) if text is not None else {}), **fields}
    return _update(message=message)


def group(chat_id: int, user_id: int, text: str | None = None, *, thread_id: int | None = None,
          reply_to: dict[str, Any] | None = None, name: str = "", **fields: Any) -> Update:
    message: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()),
                               "chat": {"id": chat_id, "type": "supergroup", "title": "工会值班群", "is_forum": True},
                               "from": _user(user_id, name or f"调解员{user_id}"),
                               **(_text(text) if text is not None else {}), **fields}
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return _update(message=message)


def bot_message(chat_id: int, message_id: int, text: str, *, thread_id: int | None = None) -> dict[str, Any]:
    """A message the bot sent earlier (what a callback or a reply refers to)."""
    chat_type = "private" if chat_id > 0 else "supergroup"
    message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "text": text,
                               "chat": {"id": chat_id, "type": chat_type},
                               "from": {"id": 123456789, "is_bot": True, "first_name": "工友"}}
    if thread_id is not None:
        message.update(message_thread_id=thread_id, is_topic_message=True)
    return message


def press(user_id: int, data: str, on: dict[str, Any]) -> Update:
    return _update(callback_query={"id": f"cq{next(_ids)}", "from": _user(user_id), "chat_instance": "ci",
                                   "data": data, "message": on})
