"""Logs never contain a worker's words, name or phone number: a full scenario, every logger at DEBUG.

The scenario runs the real Dialogue and TicketService on a temp database: an intake that gives a
name, a phone number, an employer and free text (and a file), staff claiming, replying, noting and
resolving, the worker following up, and the outbox drained. Logging is set up as `gongyou serve`
and `gongyou chat` set it up (`bot.logsafe.configure`), then every logger — ours, aiosqlite's,
aiogram's, asyncio's — is opened to DEBUG. The distinctive strings must appear in the database
(the scenario really carried them) and in no log line, in our handler's output or pytest's.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot import logsafe
from bot.clock import FakeClock
from bot.dialogue.store import ConversationStore
from bot.dialogue.types import Attachment, Incoming, Reply, UserRef
from bot.services import Services
from bot.tickets.api import Actor, State

WORKER_NAME = "欧阳翠花"
PHONE = "13912345678"
PHONE_TYPED = "139 1234 5678"
EMPLOYER = "鑫达物流青年路站"
STORY = "上个月欧阳翠花离职，紫罗兰电动车押金三千块，鑫达物流青年路站的站长一直不退"
FIRST_MESSAGE = "鑫达物流青年路站扣了我紫罗兰电动车押金三千块不退，我要投诉"
FOLLOW_UP = "好的我周四去，紫罗兰电动车钥匙还在我这"
FILE_NAME = "欧阳翠花押金收据.jpg"
STAFF_NAME = "司马调解员"
STAFF_REPLY = "周四下午三点带上工牌来工会找司马调解员"
STAFF_NOTE = "已电话核实欧阳翠花，13912345678"
RESOLVE_REASON = "鑫达物流已退还紫罗兰电动车押金"

# What must never be in a log line; the phone number in every way it was written.
SECRETS = (WORKER_NAME, PHONE, PHONE_TYPED, EMPLOYER, "紫罗兰", "鑫达物流", "周四下午三点", "钥匙还在", "司马")
LOGGERS = ("", "bot", "intents", "knowledge", "aiosqlite", "aiogram", "aiogram.event", "aiogram.dispatcher",
           "aiohttp", "asyncio", "jieba")


@pytest.fixture
def all_logs_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[tuple[io.StringIO, pytest.LogCaptureFixture]]:
    """logsafe set up as the commands do, then every logger opened to DEBUG; restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in LOGGERS})
    buffer = io.StringIO()
    logsafe.configure("DEBUG", stream=buffer)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield buffer, caplog
    logsafe.uninstall_record_factory()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def leaks(buffer: io.StringIO, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every secret found in any log output, with the line it was found in."""
    formatter = logsafe.KeyValueFormatter()
    outputs = [buffer.getvalue(), caplog.text]
    outputs += [formatter.format(r) + repr(logsafe.extras(r)) for r in caplog.records]
    found = []
    for output in outputs:
        for line in output.splitlines():
            found += [f"{secret!r} in: {line[:300]}" for secret in SECRETS if secret in line]
    return found


@dataclass
class Worker:
    services: Services
    user: UserRef
    name: str
    last: list[Reply] = field(default_factory=list)

    async def send(self, **kwargs: Any) -> list[Reply]:
        self.last = await self.services.dialogue.handle(Incoming(self.user, display_name=self.name, **kwargs))
        assert self.last and all(r.text.strip() for r in self.last)
        return self.last

    async def step(self) -> str | None:
        state, _ = await ConversationStore(self.services.db).load(self.user.key)
        return state.step if state.flow == "intake" else None


async def file_an_intake(worker: Worker) -> None:
    """Answer every question of the intake, whatever the classifier confirmed first."""
    answers = {"summary": STORY, "employer": EMPLOYER, "place": "北京市朝阳区", "amount": "3000", "phone": PHONE_TYPED,
               "topic": None, "headcount": "1", "platform": "跳过"}
    await worker.send(text=FIRST_MESSAGE)
    for _ in range(30):
        step = await worker.step()
        if step is None:
            return
        if step == "consent":
            await worker.send(button="in:consent:yes")
        elif step.startswith("confirm:"):
            await worker.send(button=f"in:yes:{step.split(':', 1)[1]}")
        elif step == "topic":
            await worker.send(button="in:topic:platform")
        elif step == "evidence":
            await worker.send(attachment=Attachment("photo", "AgACAgIAAxkBAAIBprivacy", FILE_NAME, 54321))
            await worker.send(button="in:done:evidence")
        elif step == "review":
            await worker.send(button="in:submit")
        else:
            await worker.send(text=answers[step])
    raise AssertionError(f"the intake did not finish; last replies: {[r.text for r in worker.last]}")


async def drain(services: Services) -> int:
    """Deliver everything, held-back messages too (the clock moves past their due time)."""
    sent = 0
    while True:
        assert isinstance(services.clock, FakeClock)
        services.clock.advance(minutes=5)
        pending = await services.tickets.outbox_pending(limit=100)
        if not pending:
            break
        for message in pending:
            await services.tickets.outbox_mark_sent(message.id, meta={"test": "delivered"})
            sent += 1
    return sent


async def run_scenario(services: Services) -> int:
    """The whole life of one case; returns the ticket id."""
    worker = Worker(services, UserRef("telegram", "700100"), WORKER_NAME)
    await worker.send(command="start")
    await file_an_intake(worker)
    assert any("GY-" in r.text for r in worker.last), [r.text for r in worker.last]
    [ticket] = await services.tickets.tickets_of("telegram", "700100")
    staff = Actor("staff", "telegram:9001", STAFF_NAME)
    tickets = services.tickets
    await tickets.claim(ticket.id, staff)
    await tickets.reply(ticket.id, staff, STAFF_REPLY)
    await tickets.note(ticket.id, staff, STAFF_NOTE)
    await tickets.change_state(ticket.id, staff, State.MEDIATING)
    await worker.send(text=FOLLOW_UP)
    await worker.send(attachment=Attachment("document", "BQACAgIAAxkBAAIBdoc", FILE_NAME, 1000))
    await worker.send(attachment=Attachment("sticker", "CAACAgIAAxkBAAIBsticker", "", 0))
    await worker.send(command="mytickets")
    await worker.send(button=f"tk:{ticket.id}")
    await tickets.change_state(ticket.id, staff, State.RESOLVED, reason=RESOLVE_REASON, amount_recovered=3000)
    await worker.send(text=f"谢谢！我叫{WORKER_NAME}，电话{PHONE}")
    assert await drain(services) >= 6
    return ticket.id


async def test_a_full_scenario_logs_no_text_names_or_phones(tmp_path: Path, understanding, all_logs_at_debug):
    buffer, caplog = all_logs_at_debug
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(), understanding=understanding)
    try:
        ticket_id = await run_scenario(services)
        # The scenario really carried the personal data into the database …
        async with services.db.transaction(write=False) as conn:
            pii = (await (await conn.execute("SELECT pii FROM tickets WHERE id = ?", (ticket_id,))).fetchone())[0]
            notes = [r[0] for r in await conn.execute_fetchall("SELECT note FROM events WHERE ticket_id = ?", (ticket_id,))]
        assert PHONE in pii and EMPLOYER in pii and WORKER_NAME in pii
        assert STAFF_REPLY in notes and FOLLOW_UP in notes
    finally:
        await services.close()
    # … the logging was really on at DEBUG, aiosqlite included …
    names = {r.name for r in caplog.records}
    assert "aiosqlite" in names, sorted(names)
    assert len(caplog.records) > 100
    # … and not one log line holds any of it.
    assert leaks(buffer, caplog) == []
    # (The check itself sees a leak when there is one.)
    logging.getLogger("bot.tests").info("worker %s wrote", WORKER_NAME)
    assert leaks(buffer, caplog)


async def test_an_internal_error_is_logged_without_the_message(tmp_path: Path, understanding, all_logs_at_debug,
                                                               monkeypatch):
    """A turn that fails logs a traceback; the worker's text and phone stay out of it."""
    buffer, caplog = all_logs_at_debug
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(), understanding=understanding)
    try:
        def broken(text: str) -> Any:
            raise ValueError(f"cannot understand {text!r}")   # an exception message that quotes the input

        monkeypatch.setattr(services.dialogue.understanding, "understand", broken)
        worker = Worker(services, UserRef("telegram", "700200"), WORKER_NAME)
        replies = await worker.send(text=f"我叫{WORKER_NAME}，电话{PHONE}，紫罗兰电动车押金不退")
        assert replies[0].text == services.texts.render("error")
    finally:
        await services.close()
    assert any(r.exc_info for r in caplog.records if r.name == "bot.dialogue.engine")
    assert "ValueError: cannot understand" in buffer.getvalue()
    # logsafe masks the phone number the exception quotes. Names and free text cannot be recognised
    # by a pattern: keeping them out of exception messages is our code's job (none of ours quotes input).
    assert PHONE not in buffer.getvalue() and PHONE not in caplog.text
    assert "电话<phone>" in buffer.getvalue()


async def test_without_logsafe_aiosqlite_debug_lines_would_leak(tmp_path: Path, understanding, caplog):
    """The control: the same turn with the record factory off puts the text in aiosqlite's lines."""
    logsafe.uninstall_record_factory()
    caplog.set_level(logging.DEBUG, logger="aiosqlite")
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(), understanding=understanding)
    try:
        worker = Worker(services, UserRef("telegram", "700300"), WORKER_NAME)
        await worker.send(text=FIRST_MESSAGE)
        await worker.send(button="in:consent:yes")
    finally:
        await services.close()
    assert "紫罗兰" in caplog.text


# ---- the same life of a case through Telegram (recording bot, real Dispatcher, routers and sender) ----------

async def test_the_telegram_path_logs_no_text_names_or_phones(tmp_path: Path, understanding, all_logs_at_debug):
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "telegram"))
    import tg_updates as U
    from aiogram.methods import SendMessage
    from tg_env import flush
    from tg_recording import TOKEN, RecordingBot

    from bot.channels.telegram.app import TelegramApp
    from bot.channels.telegram.callbacks import TicketAction
    from bot.channels.telegram.ratelimit import Limits
    from bot.config import Settings

    buffer, caplog = all_logs_at_debug
    staff_chat, staff_id, worker = -1001234567890, 9001, 700400
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(), understanding=understanding)
    bot = RecordingBot()
    bot.session.members.update({staff_id: "member"})
    settings = Settings(_env_file=None, bot_token=TOKEN, staff_chat_id=staff_chat, admin_ids=[42],
                        database_path=tmp_path / "g.db", staff_topics="on")
    app = TelegramApp.create(settings, services, bot=bot, limits=Limits.unlimited())
    app.staff_chat.forum = True
    on = U.bot_message(worker, 10, "…")

    async def feed(update: Any) -> None:
        await app.dispatcher.feed_update(app.bot, update)

    try:
        await feed(U.private(worker, "/start", name=WORKER_NAME))
        await feed(U.private(worker, FIRST_MESSAGE, name=WORKER_NAME))
        answers = {"summary": STORY, "employer": EMPLOYER, "place": "北京市朝阳区", "amount": "3000", "phone": PHONE_TYPED}
        for _ in range(30):
            state, _ = await ConversationStore(services.db).load(f"telegram:{worker}")
            step = state.step if state.flow == "intake" else None
            if step is None:
                break
            if step in answers:
                await feed(U.private(worker, answers[step], name=WORKER_NAME))
                continue
            payload = {"consent": "in:consent:yes", "topic": "in:topic:platform", "review": "in:submit",
                       "evidence": "in:done:evidence"}.get(step, f"in:yes:{step.partition(':')[2]}")
            if step == "evidence":
                await feed(U.private(worker, None, name=WORKER_NAME, caption=f"{WORKER_NAME}的押金收据",
                                     photo=[{"file_id": "AgACprivacy", "file_unique_id": "p", "width": 1, "height": 1}]))
            await feed(U.press(worker, "d|" + payload, on))
        [ticket] = await services.tickets.tickets_of("telegram", str(worker))
        await flush(app.sender)
        topic = int((await services.tickets.get(ticket.id)).staff_thread.removeprefix("tg-topic:"))
        alert = U.bot_message(staff_chat, 5000, "alert", thread_id=topic)
        await feed(U.press(staff_id, TicketAction(ticket_id=ticket.id, action="claim").pack(), alert))
        await feed(U.group(staff_chat, staff_id, STAFF_REPLY, thread_id=topic, name=STAFF_NAME))
        await feed(U.group(staff_chat, staff_id, f"/note {STAFF_NOTE}", thread_id=topic, name=STAFF_NAME))
        await feed(U.private(worker, FOLLOW_UP, name=WORKER_NAME))
        await feed(U.group(staff_chat, staff_id, f"/resolve 3000 {RESOLVE_REASON}", thread_id=topic, name=STAFF_NAME))
        await feed(U.private(worker, "/mytickets", name=WORKER_NAME))
        await flush(app.sender)
        # The Telegram path really carried the case: the worker got the staff reply and the resolution.
        to_worker = "\n".join(m.text for m in bot.calls(SendMessage) if int(m.chat_id) == worker)
        assert "周四下午三点" in to_worker and "3000" in to_worker
        assert (await services.tickets.get(ticket.id)).state == State.RESOLVED
    finally:
        await app.sender.stop()
        await services.close()
    names = {r.name for r in caplog.records}
    assert {"aiosqlite", "aiogram.event"} <= names, sorted(names)
    assert leaks(buffer, caplog) == []
