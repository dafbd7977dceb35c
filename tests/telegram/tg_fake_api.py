"""A local fake Telegram Bot API server (aiohttp on 127.0.0.1, ephemeral port) for end-to-end runs.

The bot talks to it through its real HTTP client (aiogram's `AiohttpSession` with
`TelegramAPIServer.from_base(url)`) and real long polling. A test scripts it: it pushes updates
as workers and staff would send them, reads what the bot sent, and injects faults (429 with
retry_after, 5xx, a whole outage during which connections are cut).

Also used by `benchmarks/e2e_bench.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "工友", "username": "gongyou_test_bot"}
JSON_FIELDS = {"reply_markup", "reply_parameters", "allowed_updates", "commands", "scope", "entities",
               "link_preview_options"}
SENDING = {"sendMessage", "sendPhoto", "sendDocument"}


@dataclass
class Sent:
    """One message the bot sent, as the fake server stored it."""

    method: str
    chat_id: int
    message_id: int
    text: str
    thread_id: int | None
    reply_to: int | None
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b for row in rows for b in row]

    def as_message(self) -> dict[str, Any]:
        chat_type = "private" if self.chat_id > 0 else "supergroup"
        message: dict[str, Any] = {
            "message_id": self.message_id, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": self.chat_id, "type": chat_type},
        }
        if self.method == "sendMessage":
            message["text"] = self.text
        else:
            message["caption"] = self.text
            if self.method == "sendPhoto":
                message["photo"] = [{"file_id": self.params.get("photo", ""), "file_unique_id": "u", "width": 1, "height": 1}]
            else:
                message["document"] = {"file_id": self.params.get("document", ""), "file_unique_id": "u"}
        if self.thread_id:
            message["message_thread_id"] = self.thread_id
            message["is_topic_message"] = True
        if self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


class FakeBotApi:
    def __init__(self, token: str, *, staff_chat_id: int, forum: bool = True,
                 members: dict[int, str] | None = None) -> None:
        self.token = token
        self.staff_chat_id = staff_chat_id
        self.forum = forum
        self.members: dict[int, str] = dict(members or {})
        self.requests: list[tuple[str, dict[str, Any], float]] = []
        self.sent: list[Sent] = []
        self.topics: dict[int, str] = {}
        self.pinned: list[tuple[int, int]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.faults: dict[str, deque[tuple[int, int | None]]] = defaultdict(deque)
        self.down = False
        self.refused_while_down = 0
        self.pushed: dict[int, dict[str, Any]] = {}
        self.update_pushed_at: dict[int, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._changed = asyncio.Condition()
        self._per_chat: dict[int, list[Sent]] = defaultdict(list)
        self._chat_events: dict[int, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- server ----------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if self.down:
            # An outage: the connection drops without an answer.
            self.refused_while_down += 1
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        params = await self._params(request)
        self.requests.append((method, params, time.perf_counter()))
        fault = self.faults[method].popleft() if self.faults[method] else None
        if fault is not None:
            status, retry_after = fault
            if status == 429:
                return self._error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
            return self._error(status, "Internal Server Error" if status >= 500 else "Bad Request: injected")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._ok(True)
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return self._ok(result)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
        else:
            form = await request.post()
            data = {k: (v if isinstance(v, str) else getattr(v, "filename", "file")) for k, v in form.items()}
            data.update(request.query)
        for key in JSON_FIELDS & data.keys():
            if isinstance(data[key], str):
                data[key] = json.loads(data[key])
        return data

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, description: str, *, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- Bot API methods -------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 2.0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates)), timeout)
                except TimeoutError:
                    pass
        limit = int(params.get("limit", 100) or 100)
        return self._updates[:limit]

    async def _send(self, method: str, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        thread = int(params["message_thread_id"]) if params.get("message_thread_id") else None
        if thread is not None and chat_id == self.staff_chat_id and thread not in self.topics:
            return self._error(400, "Bad Request: message thread not found")
        reply = params.get("reply_parameters") or {}
        reply_to = int(reply["message_id"]) if reply.get("message_id") else None
        text = params.get("text") if method == "sendMessage" else params.get("caption", "")
        sent = Sent(method, chat_id, next(self._message_ids[chat_id]), text or "", thread, reply_to,
                    params.get("reply_markup"), params)
        self.sent.append(sent)
        self._per_chat[chat_id].append(sent)
        if (event := self._chat_events.get(chat_id)) is not None:
            event.set()
        await self._notify()
        return sent.as_message()

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return await self._send("sendMessage", params)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._send("sendPhoto", params)

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        return await self._send("sendDocument", params)

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        self.edits.append(params)
        await self._notify()
        return True

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        self.edits.append(params)
        await self._notify()
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.callback_answers.append(params)
        await self._notify()
        return True

    async def _m_createForumTopic(self, params: dict[str, Any]) -> Any:
        if not self.forum:
            return self._error(400, "Bad Request: the chat is not a forum")
        thread = next(self._message_ids[int(params["chat_id"])])
        self.topics[thread] = params["name"]
        return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}

    async def _m_pinChatMessage(self, params: dict[str, Any]) -> Any:
        self.pinned.append((int(params["chat_id"]), int(params["message_id"])))
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.append(params)
        return True

    async def _m_getChat(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private",
                                "accent_color_id": 0, "max_reaction_count": 11,
                                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                                        "unique_gifts": False, "premium_subscription": False,
                                                        "gifts_from_channels": False}}
        if chat_id < 0:
            chat.update(title="工会值班群", is_forum=self.forum)
        return chat

    async def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        user_id = int(params["user_id"])
        status = self.members.get(user_id, "left")
        return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}}

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        return {"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"][-8:], "file_size": 1024,
                "file_path": f"photos/{params['file_id']}.jpg"}

    # --- scripting: what users do ----------------------------------------------------------
    async def push(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self.update_pushed_at[update_id] = time.perf_counter()
        self.pushed[update_id] = payload
        await self._notify()
        return update_id

    async def resend(self, update_id: int) -> None:
        """Offer an update again, as Telegram does when the offset confirming it never arrived."""
        self._updates.insert(0, {"update_id": update_id, **self.pushed[update_id]})
        await self._notify()

    def _user(self, user_id: int, name: str = "") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name or f"用户{user_id}", "language_code": "zh-hans"}

    def _message(self, chat: dict[str, Any], user_id: int, name: str = "", **fields: Any) -> dict[str, Any]:
        chat_id = chat["id"]
        return {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
                "chat": chat, "from": self._user(user_id, name), **fields}

    @staticmethod
    def _text_fields(text: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return fields

    async def worker_says(self, user_id: int, text: str, name: str = "") -> int:
        chat = {"id": user_id, "type": "private", "first_name": name or f"用户{user_id}"}
        return await self.push({"message": self._message(chat, user_id, name, **self._text_fields(text))})

    async def worker_sends_photo(self, user_id: int, file_id: str, caption: str = "") -> int:
        chat = {"id": user_id, "type": "private", "first_name": f"用户{user_id}"}
        photo = [{"file_id": file_id, "file_unique_id": file_id[-6:], "width": 800, "height": 600, "file_size": 54321}]
        extra = {"caption": caption} if caption else {}
        return await self.push({"message": self._message(chat, user_id, photo=photo, **extra)})

    async def press(self, user_id: int, on: Sent, data: str) -> int:
        return await self.push({"callback_query": {
            "id": f"cq{next(self._update_ids)}", "from": self._user(user_id), "chat_instance": "ci",
            "data": data, "message": on.as_message(),
        }})

    async def staff_says(self, user_id: int, text: str, *, thread_id: int | None = None,
                         reply_to: Sent | None = None, name: str = "") -> int:
        chat = {"id": self.staff_chat_id, "type": "supergroup", "title": "工会值班群", "is_forum": self.forum}
        fields = self._text_fields(text)
        if thread_id is not None:
            fields.update(message_thread_id=thread_id, is_topic_message=True)
        if reply_to is not None:
            fields["reply_to_message"] = reply_to.as_message()
        return await self.push({"message": self._message(chat, user_id, name or f"调解员{user_id}", **fields)})

    # --- scripting: faults -----------------------------------------------------------------
    def fail_next(self, method: str, status: int = 429, *, times: int = 1, retry_after: int | None = 1) -> None:
        for _ in range(times):
            self.faults[method].append((status, retry_after if status == 429 else None))

    # --- reading what the bot did ----------------------------------------------------------
    def to_chat(self, chat_id: int) -> list[Sent]:
        return list(self._per_chat[chat_id])

    async def next_to_chat(self, chat_id: int, seen: int, within: float = 10.0) -> Sent:
        """The first message to `chat_id` after the `seen` ones already read (cheap with many chats)."""
        deadline = time.monotonic() + within
        while len(self._per_chat[chat_id]) <= seen:
            event = self._chat_events.setdefault(chat_id, asyncio.Event())
            event.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no message to chat {chat_id} within {within}s")
            try:
                await asyncio.wait_for(event.wait(), left)
            except TimeoutError:
                pass
        return self._per_chat[chat_id][seen]

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [params for m, params, _ in self.requests if m == method]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy (checked after every change); returns its value."""
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {within}s waiting for the bot")
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.2))
                except TimeoutError:
                    pass

    async def wait_sent(self, chat_id: int, contains: str, within: float = 10.0) -> Sent:
        return await self.wait_for(
            lambda: next((s for s in self.to_chat(chat_id) if contains in s.text), None), within)
