"""Dialogue properties the stories cannot show: one turn at a time per worker, any input is safe,
consent is recorded on the ticket, and a broken database gives a kind message instead of a crash."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.dialogue import buttons as B
from bot.dialogue.types import Attachment, Incoming, UserRef
from bot.services import Services

USER = UserRef("console", "engine-test")


async def press(services: Services, data: str, user: UserRef = USER):
    return await services.dialogue.handle(Incoming(user, button=data))


async def say(services: Services, text: str, user: UserRef = USER):
    return await services.dialogue.handle(Incoming(user, text=text))


async def test_turns_of_one_worker_run_one_at_a_time(services):
    # Both arrive together (Telegram may deliver updates concurrently). Without the per-worker lock
    # the second would read the state before the first saved it and find no form to agree to.
    first, second = await asyncio.gather(press(services, B.COMPLAIN), press(services, "in:consent:yes"))
    assert "个人信息保护法" in first[0].text
    assert "哪方面" in second[-1].text


async def test_consent_is_recorded_with_the_text_version_and_time(services):
    await press(services, B.COMPLAIN)
    await press(services, "in:consent:yes")
    await press(services, "in:topic:wage")
    for answer in ("这个月工资少发了一千", "某某站点", "厦门市集美区"):
        await say(services, answer)
    for skip in ("in:skip:amount", "in:skip:phone", "in:skip:evidence"):
        await press(services, skip)
    replies = await press(services, "in:submit")
    assert "登记好了" in replies[0].text
    async with services.db.transaction(write=False) as conn:
        row = await (await conn.execute("SELECT consent_version, consent_at, kind FROM tickets")).fetchone()
    assert row["consent_version"].startswith("intake.consent#")
    assert row["consent_version"] == services.dialogue.intake.consent_version()
    assert row["consent_at"].startswith("2026-11-23T01:00")
    assert row["kind"] == "mediation"


async def test_state_is_json_in_the_conversations_table(services):
    await press(services, B.COMPLAIN)
    async with services.db.transaction(write=False) as conn:
        row = await (await conn.execute("SELECT user_key, state FROM conversations")).fetchone()
    assert row["user_key"] == "console:engine-test"
    state = json.loads(row["state"])
    assert state["flow"] == "intake" and state["step"] == "consent"


async def test_workers_do_not_share_state(services):
    other = UserRef("telegram", "42")
    await press(services, B.COMPLAIN)
    replies = await say(services, "同意", user=other)
    assert all("哪方面" not in r.text for r in replies)


async def test_a_broken_database_gives_a_kind_message_not_a_crash(understanding, tmp_path):
    path = tmp_path / "gongyou.sqlite3"
    services = await Services.open(path, clock=FakeClock(), understanding=understanding)
    await services.db.close()
    replies = await say(services, "你好")
    assert len(replies) == 1
    assert "出了点问题" in replies[0].text and "12351" in replies[0].text
    assert replies[0].buttons, "the menu is offered even then"
    again = await Services.open(path, clock=FakeClock(), understanding=understanding)
    try:
        assert "你好" in (await say(again, "你好"))[0].text
    finally:
        await again.close()


async def test_messages_on_an_open_ticket_are_capped_and_invisible_ones_skipped(services):
    await press(services, B.HUMAN)
    await press(services, B.CALLBACK_YES)
    await say(services, "字" * 5000)
    await say(services, "\u200b\u202e")
    ticket = (await services.tickets.tickets_of("console", "engine-test"))[0]
    notes = [e.note for e in await services.tickets.events(ticket.id) if e.type == "worker_message"]
    assert [len(n) for n in notes] == [2000]


def test_a_payload_over_the_limit_is_refused():
    with pytest.raises(ValueError, match="too long"):
        B.make("x", "faq:" + "a" * 45)
    assert not B.fits("faq:" + "a" * 45)
    assert not B.fits("faq:工资")


PAYLOADS = [
    B.MENU, B.COMPLAIN, B.STATUS, B.HUMAN, B.NEW_CASE, B.CANCEL, B.CALLBACK_YES, B.NONE_OF_THESE, "m:wage",
    "in:consent:yes", "in:yes:topic", "in:no:amount", "in:topic:wage", "in:topic:bogus", "in:skip:phone",
    "in:skip:summary", "in:same:summary", "in:same:employer", "in:done:evidence", "in:edit:phone", "in:edit:nope",
    "in:submit", "ur:skip", "tk:1", "tk:-1", "tk:", "faq:wage.deduction", "rel:wage.deduction", "fb:up:wage.deduction",
    "fb:sideways:wage.deduction", "sg:none", "sg:x", ":", "", "m:", "in:", "in:yes:", "\x00", "faq:" + "x" * 40,
]
TEXTS = [
    "你好", "谢谢", "我要投诉，老板欠我三千块工资", "同意", "对", "改一下", "跳过", "取消", "13812345678", "4300",
    "厦门市思明区", "某某站点", "站长扣我工资合法吗", "我的诉求进度", "找人工", "明天下雨吗", "确认提交", "不想活了",
    "", " ", "\u202e\x1b[2J", "字" * 2000, "1" * 50, "🙂",
]
ACTIONS = st.one_of(
    st.tuples(st.just("button"), st.sampled_from(PAYLOADS)),
    st.tuples(st.just("text"), st.one_of(st.sampled_from(TEXTS), st.text(max_size=30))),
    st.tuples(st.just("command"), st.sampled_from(["start", "menu", "help", "mytickets", "cancel", "mydata", "zzz"])),
    st.tuples(st.just("file"), st.sampled_from(["photo", "document", "sticker", "location", "voice"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(ACTIONS, min_size=1, max_size=12))
def test_any_sequence_of_inputs_gets_replies_and_never_the_error_message(script, understanding, tmp_path_factory):
    async def run() -> None:
        path = tmp_path_factory.mktemp("fuzz") / "gongyou.sqlite3"
        services = await Services.open(path, clock=FakeClock(), understanding=understanding)
        error = services.texts.render("error")
        try:
            for kind, value in script:
                if kind == "button":
                    incoming = Incoming(USER, button=value)
                elif kind == "text":
                    incoming = Incoming(USER, text=value)
                elif kind == "command":
                    incoming = Incoming(USER, command=value)
                else:
                    incoming = Incoming(USER, attachment=Attachment(value, "file-id", "名字"))
                replies = await services.dialogue.handle(incoming)
                assert replies, f"no reply to {kind} {value!r}"
                for reply in replies:
                    assert reply.text.strip()
                    assert error not in reply.text, f"the dialogue failed on {kind} {value!r}"
                    for row in reply.buttons:
                        for button in row:
                            assert B.fits(button.data)
        finally:
            await services.close()

    asyncio.run(run())
