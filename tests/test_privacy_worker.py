"""/mydata and /forget through the real dialogue, ticket service and a database file.

/mydata must show everything stored about the worker (and nothing of anyone else); /forget must
ask first, then erase every trace of the worker's personal data — in the tables and in the file's
bytes — while the anonymous counts stay exactly as they were.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.dialogue import buttons as B
from bot.dialogue.types import Attachment, Incoming, UserRef
from bot.privacy.flow import forget_payload
from bot.privacy.report import MAX_CHARS
from bot.services import Services
from bot.tickets.api import Actor, State

WORKER = UserRef("telegram", "5550001")
OTHER = UserRef("telegram", "5550002")
STAFF = Actor("staff", "telegram:9001", "李姐")
NAME = "王小明"
PHONE = "13912345678"
SUMMARY = "站长扣了我三千块押金一直不退"
EMPLOYER = "蓝天配送站"
FOLLOW_UP = "站长今天又打电话骂我"
STAFF_REPLY = "我们明天去站点了解情况"
INTERNAL = "站长态度强硬，准备找平台"
PERSONAL = (NAME, PHONE, SUMMARY, EMPLOYER, FOLLOW_UP, STAFF_REPLY, INTERNAL, "AgACpayslip")


async def turn(services: Services, user: UserRef = WORKER, **what):
    name = NAME if user == WORKER else "赵六"
    return await services.dialogue.handle(Incoming(user, display_name=name, **what))


def text_of(replies) -> str:
    return "\n".join(r.text for r in replies)


async def file_case(services: Services, user: UserRef = WORKER, *, phone: str = PHONE, summary: str = SUMMARY,
                    employer: str = EMPLOYER, file_id: str = "AgACpayslip") -> int:
    """A full intake through the dialogue: consent, fields, a photo, submit. Returns the ticket id."""
    await turn(services, user, button=B.COMPLAIN)
    await turn(services, user, button="in:consent:yes")
    await turn(services, user, button="in:topic:wage")
    for answer in (summary, employer, "厦门市集美区", "3000", phone):
        await turn(services, user, text=answer)
    await turn(services, user, attachment=Attachment("photo", file_id, "工资条", 100))
    await turn(services, user, button="in:done:evidence")
    done = await turn(services, user, button="in:submit")
    assert "登记好了" in done[0].text
    tickets = await services.tickets.tickets_of(user.channel, user.user_id)
    return tickets[0].id


async def dump(services: Services) -> str:
    """Every row of every table as text: what a person with the database file could read."""
    parts = []
    async with services.db.transaction(write=False) as conn:
        tables = [r[0] for r in await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in await conn.execute_fetchall(f"SELECT * FROM {table}"):
                parts.append(json.dumps([str(v) for v in tuple(row)], ensure_ascii=False))
    return "\n".join(parts)


async def count(services: Services, sql: str, *params) -> int:
    async with services.db.transaction(write=False) as conn:
        return (await conn.execute_fetchall(sql, params))[0][0]


# ---- /mydata ---------------------------------------------------------------------------------------
async def test_mydata_shows_every_field_consent_file_and_message(services, clock):
    ticket_id = await file_case(services)
    await turn(services, text=FOLLOW_UP)
    await services.tickets.claim(ticket_id, STAFF)
    await services.tickets.reply(ticket_id, STAFF, STAFF_REPLY)
    await services.tickets.note(ticket_id, STAFF, INTERNAL)
    code = (await services.tickets.get(ticket_id)).code

    shown = text_of(await turn(services, command="mydata"))
    for expected in (code, NAME, PHONE, SUMMARY, EMPLOYER, "厦门市集美区", "3000 元", "工资条", FOLLOW_UP,
                     STAFF_REPLY, "申请调解时的个人信息说明", services.dialogue.intake.consent_version().split("#")[1],
                     "2026-11-23 09:00", "工作人员接手", "/forget"):
        assert expected in shown, expected
    assert INTERNAL not in shown and "内部备注 1 条" in shown


async def test_mydata_shows_only_the_asking_workers_data(services):
    await file_case(services, OTHER, phone="13700001111")
    shown = text_of(await turn(services, command="mydata"))
    assert "没有存你的个人信息" in shown and "13700001111" not in shown


async def test_mydata_shows_an_unfinished_draft_and_files_sent_before_it(services):
    await turn(services, attachment=Attachment("document", "BQACcontract", "劳动合同.pdf", 10))
    await turn(services, button=B.COMPLAIN)
    await turn(services, button="in:consent:yes")
    await turn(services, button="in:topic:injury")
    await turn(services, text=SUMMARY)
    shown = text_of(await turn(services, command="mydata"))
    assert "没填完的登记" in shown and SUMMARY in shown and "劳动合同.pdf" in shown and "同意了登记说明" in shown
    # the intake question is asked again after the detour
    assert "公司" in (await turn(services, command="mydata"))[-1].text


async def test_long_histories_come_in_messages_that_fit_a_phone(services):
    ticket_id = await file_case(services)
    said = [f"第{i}条补充：" + "站长又扣了钱" * 60 for i in range(12)]
    for text in said:
        await turn(services, text=text)
    await services.tickets.reply(ticket_id, STAFF, STAFF_REPLY)
    replies = await turn(services, command="mydata")
    assert len(replies) >= 3 and all(len(r.text) <= MAX_CHARS for r in replies)
    shown = text_of(replies)
    assert all(text in shown for text in said)


# ---- /forget ---------------------------------------------------------------------------------------
async def test_forget_asks_first_and_keep_changes_nothing(services):
    ticket_id = await file_case(services)
    before = await dump(services)
    asked = await turn(services, command="forget")
    assert "确定要删除" in asked[-1].text and "还在办理中" in asked[-1].text
    data = [b.data for row in asked[-1].buttons for b in row]
    assert data[0].startswith("pd:forget:") and data[1] == "pd:keep"
    kept = await turn(services, button="pd:keep")
    assert "什么都没删" in kept[0].text
    assert await dump(services) == before
    assert (await services.tickets.get(ticket_id)).intake.phone == PHONE


async def test_forget_erases_everything_personal_and_keeps_the_counts(services, clock, tmp_path):
    ticket_id = await file_case(services)
    await turn(services, text=FOLLOW_UP)
    await services.tickets.claim(ticket_id, STAFF)
    await services.tickets.reply(ticket_id, STAFF, STAFF_REPLY)            # queued, not delivered yet
    await services.tickets.note(ticket_id, STAFF, INTERNAL)
    await services.tickets.change_state(ticket_id, STAFF, State.MEDIATING)
    await services.tickets.change_state(ticket_id, STAFF, State.RESOLVED, amount_recovered=3000)
    await services.tickets.record(ticket_id, Actor("worker", WORKER.key, NAME), "survey", data={"rating": 5})
    other_id = await file_case(services, OTHER, phone="13700001111", summary="平台封了我的号一直不解封",
                               employer="绿叶快递", file_id="AgACother")
    stats_before = await services.tickets.stats()
    code = (await services.tickets.get(ticket_id)).code
    await turn(services, text="还有个事")                               # a conversation row exists

    asked = await turn(services, command="forget")
    done = await turn(services, button=asked[-1].buttons[0][0].data)
    said = done[0].text
    assert "已经删除" in said and code in said and "留言 " in said and "照片和文件 1 份" in said
    assert "调解员给你的回复 1 条" in said and "保留的" in said

    everything = await dump(services)
    for secret in PERSONAL:
        assert secret not in everything, secret
    assert "5550001" not in everything                                   # not even the Telegram id
    assert "13700001111" in everything                                   # the other worker is untouched
    assert (await services.tickets.get(other_id)).intake.phone == "13700001111"

    erased = await services.tickets.get(ticket_id)
    assert (erased.state, erased.topic, erased.amount_recovered, erased.intake.amount) == ("resolved", "wage", 3000, 3000)
    assert await services.tickets.stats() == stats_before
    events = await services.tickets.events(ticket_id)
    assert [e.data for e in events if e.type == "survey"] == [{"rating": 5}]
    last = events[-1]
    assert last.type == "erased" and last.actor.role == "worker" and last.actor.id == "erased"
    assert await count(services, "SELECT count(*) FROM conversations WHERE user_key = ?", WORKER.key) == 0
    assert await count(services, "SELECT count(*) FROM outbox WHERE recipient = ? AND sent_at IS NULL "
                                 "AND dropped_at IS NULL", WORKER.user_id) == 0
    notice = await count(services, "SELECT count(*) FROM outbox WHERE channel = 'staff' AND ticket_id = ? "
                                   "AND json_extract(meta, '$.event') = 'erased'", ticket_id)
    assert notice == 1
    assert await services.tickets.tickets_of(WORKER.channel, WORKER.user_id) == []
    assert "没有存你的个人信息" in text_of(await turn(services, command="mydata"))

    # The bytes of the file, once closed (WAL checkpointed), hold none of it either.
    path = Path(services.db.path)
    await services.db.close()
    raw = path.read_bytes()  # noqa: ASYNC240 (a test reading a closed file)
    for secret in (PHONE, SUMMARY, EMPLOYER, FOLLOW_UP, STAFF_REPLY):
        assert secret.encode() not in raw, secret
    assert b"13700001111" in raw
    services.db = await type(services.db).open(path)                     # for the fixture's close


async def test_an_open_case_tells_staff_it_can_no_longer_reach_the_worker(services):
    ticket_id = await file_case(services)
    asked = await turn(services, command="forget")
    await turn(services, button=asked[-1].buttons[0][0].data)
    async with services.db.transaction(write=False) as conn:
        rows = await conn.execute_fetchall(
            "SELECT text FROM outbox WHERE channel = 'staff' AND ticket_id = ? AND json_extract(meta, '$.event') = 'erased'",
            (ticket_id,))
    assert "联系不上工友" in rows[0][0] and PHONE not in rows[0][0]
    with pytest.raises(Exception, match="删除个人信息"):
        await services.tickets.reply(ticket_id, STAFF, "在吗")


async def test_the_confirm_button_pressed_twice_erases_once(services):
    await file_case(services)
    asked = await turn(services, command="forget")
    data = asked[-1].buttons[0][0].data
    await turn(services, button=data)
    events = await count(services, "SELECT count(*) FROM events")
    again = await turn(services, button=data)
    assert "什么都没有改动" in again[0].text
    assert await count(services, "SELECT count(*) FROM events") == events


@pytest.mark.parametrize("age", [timedelta(minutes=11), timedelta(days=3), -timedelta(minutes=5)])
async def test_an_expired_or_future_confirmation_is_refused(services, clock, age):
    ticket_id = await file_case(services)
    before = await dump(services)
    said = await turn(services, button=forget_payload(clock.now() - age))
    assert "过期" in said[0].text
    assert await dump(services) == before
    assert (await services.tickets.get(ticket_id)).intake.phone == PHONE


@pytest.mark.parametrize("data", ["pd:forget:", "pd:forget:abc", "pd:forget:12:34", "pd:erase_all", "pd:keep:1", "pd:"])
async def test_forged_privacy_buttons_change_nothing(services, data):
    await file_case(services)
    before = await dump(services)
    said = await turn(services, button=data)
    assert "过期" in said[0].text
    assert await dump(services) == before


async def test_forget_with_nothing_stored_says_so(services):
    said = await turn(services, command="forget")
    assert "没有存你的个人信息" in said[0].text and not any(
        b.data.startswith("pd:forget") for row in said[0].buttons for b in row)


async def test_forget_in_the_middle_of_an_intake_drops_the_draft(services, clock):
    await turn(services, button=B.COMPLAIN)
    await turn(services, button="in:consent:yes")
    await turn(services, button="in:topic:wage")
    await turn(services, text=SUMMARY)
    asked = await turn(services, command="forget")
    assert "确定要删除" in asked[-1].text
    done = await turn(services, button=asked[-1].buttons[0][0].data)
    assert "没填完的登记" in done[0].text
    assert await count(services, "SELECT count(*) FROM conversations") == 0
    assert SUMMARY not in await dump(services)
