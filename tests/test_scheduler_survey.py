"""The satisfaction survey end to end: sent a day after `resolved`, answered through the dialogue, shown in /stats."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import LOCAL_TZ, FakeClock
from bot.dialogue.types import Incoming, UserRef
from bot.scheduler import satisfaction
from bot.scheduler.followup import FollowUp
from bot.services import Services
from bot.tickets.api import Actor, Consent, Intake, Kind, State

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=LOCAL_TZ)
STAFF = Actor("staff", "telegram:201", "李姐")
WORKER = UserRef("telegram", "9001")


@pytest.fixture
async def services(tmp_path, understanding):
    s = await Services.open(tmp_path / "db.sqlite3", clock=FakeClock(T0), understanding=understanding)
    yield s
    await s.close()


async def resolved_ticket(services: Services, user: UserRef = WORKER) -> int:
    ticket = await services.tickets.create(
        channel=user.channel, user_id=user.user_id, kind=Kind.MEDIATION, intake=Intake(topic="wage", summary="欠薪"),
        consent=Consent("v1", services.clock.now()), actor=Actor("worker", user.key, "小王"),
    )
    await services.tickets.claim(ticket.id, STAFF)
    await services.tickets.change_state(ticket.id, STAFF, State.RESOLVED, amount_recovered=800.0)
    return ticket.id


async def surveys(services: Services) -> list[tuple[str, list[list[dict[str, str]]]]]:
    rows = await services.db.conn.execute_fetchall("SELECT recipient, buttons FROM outbox WHERE kind = 'survey'")
    import json

    return [(r[0], json.loads(r[1])) for r in rows]


async def press(services: Services, data: str, user: UserRef = WORKER):
    return await services.dialogue.handle(Incoming(user, button=data))


async def say(services: Services, text: str, user: UserRef = WORKER):
    return await services.dialogue.handle(Incoming(user, text=text))


def events_of(events, type_):
    return [e for e in events if e.type == type_]


async def test_survey_goes_out_once_a_day_later_with_rating_buttons(services):
    ticket = await resolved_ticket(services)
    follow = FollowUp.from_services(services)
    services.clock.set(T0 + timedelta(hours=23, minutes=59))
    await follow.tick()
    assert await surveys(services) == []
    services.clock.set(T0 + timedelta(days=1))
    await follow.tick()
    await follow.tick()
    sent = await surveys(services)
    assert len(sent) == 1 and sent[0][0] == "9001"
    buttons = [b["data"] for row in sent[0][1] for b in row]
    assert buttons == [f"sv:{ticket}:{n}" for n in range(1, 6)] + [f"sv:{ticket}:skip"]


async def test_rating_then_comment_are_stored_once_and_staff_see_them(services):
    ticket = await resolved_ticket(services)
    replies = await press(services, f"sv:{ticket}:4")
    assert "谢谢你打分" in replies[0].text and replies[0].buttons[0][0].data == f"sv:{ticket}:skip"
    again = await press(services, f"sv:{ticket}:1")                  # a second tap changes nothing
    assert "已经评过分" in again[0].text
    thanks = await say(services, "调解员态度很好，就是等得有点久")
    assert "谢谢你" in thanks[0].text
    events = await services.tickets.events(ticket)
    assert [e.data["rating"] for e in events_of(events, "survey")] == [4]
    assert [e.note for e in events_of(events, "survey_comment")] == ["调解员态度很好，就是等得有点久"]
    staff = await services.db.conn.execute_fetchall(
        "SELECT text FROM outbox WHERE channel = 'staff' AND json_extract(meta, '$.event') LIKE 'survey%' ORDER BY id")
    assert [r[0].splitlines()[0] for r in staff] == [
        f"⭐ 工人给工单 {(await services.tickets.get(ticket)).code} 的服务打了 4 分（满分 5 分）。",
        f"💬 工人对工单 {(await services.tickets.get(ticket)).code} 的评价留言：",
    ]
    # The flow is over: the next message is an ordinary one, not a second comment.
    await say(services, "谢谢")
    assert len(events_of(await services.tickets.events(ticket), "survey_comment")) == 1


async def test_someone_elses_ticket_or_a_bad_payload_is_refused(services):
    ticket = await resolved_ticket(services)
    stranger = UserRef("telegram", "4242")
    for data in (f"sv:{ticket}:5", f"sv:{ticket}:9", "sv:x:5", f"sv:{ticket + 99}:5"):
        user = stranger if data == f"sv:{ticket}:5" else WORKER
        replies = await press(services, data, user)
        assert "过期" in replies[0].text
    assert events_of(await services.tickets.events(ticket), "survey") == []


async def test_a_later_question_is_not_swallowed_as_a_comment(services):
    ticket = await resolved_ticket(services)
    await press(services, f"sv:{ticket}:5")
    services.clock.advance(minutes=31)                               # the comment window has passed
    await say(services, "谢谢你们")
    await press(services, f"sv:{ticket}:skip")
    other = await resolved_ticket(services)
    await press(services, f"sv:{other}:3")
    await say(services, "送外卖摔伤了算工伤吗")                            # plainly a new question
    for tid in (ticket, other):
        assert events_of(await services.tickets.events(tid), "survey_comment") == []


async def test_an_old_survey_question_is_not_asked_again_after_a_detour(services):
    ticket = await resolved_ticket(services)
    await press(services, f"sv:{ticket}:5")
    within = await services.dialogue.handle(Incoming(WORKER, command="help"))
    assert any("还有什么想对我们说的" in r.text for r in within)          # asked again right after the detour
    services.clock.advance(hours=2)
    later = await services.dialogue.handle(Incoming(WORKER, command="help"))
    assert not any("还有什么想对我们说的" in r.text for r in later)
    # Rated, then silent for eight days: no "your unfinished registration was cleared" on return.
    await press(services, f"sv:{await resolved_ticket(services)}:4")
    services.clock.advance(days=8)
    back = await say(services, "你好")
    assert not any(r.text == services.texts.render("expired.draft") for r in back)


async def test_skip_ends_the_survey_without_a_comment(services):
    ticket = await resolved_ticket(services)
    await press(services, f"sv:{ticket}:2")
    replies = await press(services, f"sv:{ticket}:skip")
    assert "谢谢你" in replies[0].text
    await say(services, "好的")
    assert events_of(await services.tickets.events(ticket), "survey_comment") == []


async def test_stats_show_count_and_average_and_keep_them_after_erasure(services):
    none = satisfaction.describe(await satisfaction.compute(services.db), services.texts)
    assert none == "服务满意度：还没有人评价"
    first = await resolved_ticket(services)
    second = await resolved_ticket(services, UserRef("telegram", "9002"))
    await press(services, f"sv:{first}:5")
    await press(services, f"sv:{second}:2", UserRef("telegram", "9002"))
    result = await satisfaction.compute(services.db)
    assert result == satisfaction.Satisfaction(2, 3.5)
    assert satisfaction.describe(result, services.texts) == "服务满意度：3.5 分（2 人评价，满分 5 分）"
    assert await satisfaction.compute(services.db, since=services.clock.now() + timedelta(seconds=1)) == \
        satisfaction.Satisfaction(0, None)
    await services.tickets.erase_worker("telegram", "9002", STAFF)
    assert await satisfaction.compute(services.db) == satisfaction.Satisfaction(2, 3.5)
