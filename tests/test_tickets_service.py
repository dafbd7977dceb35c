"""The ticket service on a real database file: lifecycle, events, outbox messages, errors."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import (
    AccessError,
    Actor,
    Consent,
    Intake,
    Kind,
    Priority,
    State,
    TicketNotFound,
    TransitionError,
)
from bot.tickets.service import TicketService

WORKER = Actor("worker", "telegram:1001", "小李")
STAFF_A = Actor("staff", "telegram:9001", "王调解员")
STAFF_B = Actor("staff", "telegram:9002", "陈调解员")


@pytest.fixture
def texts(tmp_path_factory):
    # Only our own file, so other teams' texts being edited cannot break these tests.
    folder = tmp_path_factory.mktemp("texts")
    shutil.copy(data_dir() / "texts" / "tickets.yaml", folder / "tickets.yaml")
    return Texts.load(folder)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "gongyou.db")
    yield database
    await database.close()


@pytest.fixture
def service(db, clock, texts):
    return TicketService(db, clock, texts)


async def new_ticket(service, *, kind=Kind.MEDIATION, user="1001", **intake):
    intake.setdefault("topic", "wage")
    intake.setdefault("summary", "站点拖欠两个月工资")
    return await service.create(
        channel="telegram", user_id=user, kind=kind, intake=Intake(**intake),
        consent=Consent("consent.v1", datetime(2026, 11, 23, 0, 59, tzinfo=UTC)),
        actor=Actor("worker", f"telegram:{user}", "小李"),
    )


async def drain(service):
    """Take every pending message (marking it sent) and return them."""
    taken = []
    while batch := await service.outbox_pending(limit=100):
        for message in batch:
            await service.outbox_mark_sent(message.id)
        taken.extend(batch)
    return taken


async def test_create_gives_code_priority_event_and_two_messages(service):
    ticket = await new_ticket(service, amount=3500, headcount=1, phone="13800000000", platform="美团")
    assert ticket.code == "GY-20261123-0001"      # 01:00 UTC is 09:00 in Shanghai, same day
    assert ticket.state == State.NEW and ticket.priority == Priority.NORMAL
    assert ticket.intake.phone == "13800000000" and ticket.intake.amount == 3500
    events = await service.events(ticket.id)
    assert [e.type for e in events] == ["created"]
    assert events[0].actor.id == "telegram:1001" and events[0].data["consent"] == "consent.v1"
    messages = await drain(service)
    to_worker = [m for m in messages if m.channel == "telegram"]
    to_staff = [m for m in messages if m.channel == "staff"]
    assert len(to_worker) == 1 and to_worker[0].recipient == "1001"
    assert "GY-20261123-0001" in to_worker[0].text and "调解员" in to_worker[0].text
    assert len(to_staff) == 1 and to_staff[0].recipient == "" and to_staff[0].kind == "alert"
    alert = to_staff[0].text
    for expected in ("GY-20261123-0001", "普通", "工资报酬", "3500 元", "13800000000", "美团", "站点拖欠两个月工资", "小李"):
        assert expected in alert
    assert to_staff[0].meta["event"] == "created" and to_staff[0].meta["urgent"] is False


async def test_code_uses_the_shanghai_date(service, clock):
    clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))   # 00:30 on the 24th in Shanghai
    first = await new_ticket(service)
    second = await new_ticket(service)
    assert (first.code, second.code) == ("GY-20261124-0001", "GY-20261124-0002")
    clock.advance(days=1)
    assert (await new_ticket(service)).code == "GY-20261125-0001"


async def test_urgent_ticket_alert_is_marked_urgent(service):
    ticket = await new_ticket(service, kind=Kind.URGENT, headcount=30, city="深圳")
    assert ticket.priority == Priority.URGENT
    staff = [m for m in await drain(service) if m.channel == "staff"]
    assert staff[0].meta["urgent"] is True and "紧急" in staff[0].text and "深圳" in staff[0].text
    worker = [m for m in await service.outbox_pending()]
    assert worker == []


async def test_claim_is_idempotent_for_the_same_staff(service):
    ticket = await new_ticket(service)
    await drain(service)
    claimed = await service.claim(ticket.id, STAFF_A)
    assert claimed.state == State.ASSIGNED and claimed.assignee == STAFF_A.id
    again = await service.claim(ticket.id, STAFF_A)           # a double tap
    assert again.state == State.ASSIGNED
    assert [e.type for e in await service.events(ticket.id)] == ["created", "assigned"]
    messages = await drain(service)
    assert len(messages) == 1 and messages[0].recipient == "1001"
    assert "调解员已接手" in messages[0].text and ticket.code in messages[0].text


async def test_claim_by_another_staff_is_refused_with_the_holder_named(service):
    ticket = await new_ticket(service)
    await service.claim(ticket.id, STAFF_A)
    with pytest.raises(TransitionError, match="已由王调解员接单"):
        await service.claim(ticket.id, STAFF_B)
    assert (await service.get(ticket.id)).assignee == STAFF_A.id


async def test_assign_hands_over_and_tells_staff(service):
    ticket = await new_ticket(service)
    await drain(service)
    assigned = await service.assign(ticket.id, STAFF_A, STAFF_B.id, assignee_name="陈调解员")
    assert assigned.state == State.ASSIGNED and assigned.assignee == STAFF_B.id
    await service.change_state(ticket.id, STAFF_B, State.MEDIATING)
    handed = await service.assign(ticket.id, STAFF_B, STAFF_A.id, assignee_name="王调解员")
    assert handed.state == State.MEDIATING and handed.assignee == STAFF_A.id
    staff_msgs = [m for m in await drain(service) if m.channel == "staff"]
    assert [m.meta["event"] for m in staff_msgs] == ["assigned", "assigned"]
    assert "陈调解员" in staff_msgs[0].text
    with pytest.raises(TransitionError, match="已由王调解员接单"):
        await service.claim(ticket.id, STAFF_B)


async def test_full_lifecycle_tells_the_worker_each_step(service, clock):
    ticket = await new_ticket(service)
    await drain(service)
    clock.advance(minutes=30)
    await service.claim(ticket.id, STAFF_A)
    clock.advance(minutes=30)
    await service.change_state(ticket.id, STAFF_A, State.MEDIATING)
    await service.change_state(ticket.id, STAFF_A, State.WAITING, reason="请发一下工资流水截图")
    clock.advance(hours=2)
    await service.worker_message(ticket.id, WORKER, text="好的，我晚上发")
    assert (await service.get(ticket.id)).state == State.MEDIATING   # the worker's answer resumes it
    await service.reply(ticket.id, STAFF_A, "收到，我们明天联系站点。")
    clock.advance(days=2)
    done = await service.change_state(ticket.id, STAFF_A, State.RESOLVED, amount_recovered=6800)
    assert done.state == State.RESOLVED and done.amount_recovered == 6800
    assert done.first_response_at == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    worker_texts = [m.text for m in await drain(service) if m.channel == "telegram"]
    assert len(worker_texts) == 5
    assert "调解员已接手" in worker_texts[0]
    assert "正在帮你协调" in worker_texts[1]
    assert "请发一下工资流水截图" in worker_texts[2]
    assert worker_texts[3].startswith("【工会调解员】收到，我们明天联系站点。")
    assert "6800 元" in worker_texts[4]
    events = await service.events(ticket.id)
    assert [e.type for e in events] == [
        "created", "assigned", "state", "state", "state", "worker_message", "staff_reply", "state"]
    by_worker = events[4]
    assert by_worker.actor == WORKER and by_worker.data == {"from": "waiting", "to": "mediating"}
    assert events[-1].data["amount_recovered"] == 6800


async def test_worker_message_alerts_staff_and_keeps_state(service):
    ticket = await new_ticket(service)
    await service.claim(ticket.id, STAFF_A)
    await drain(service)
    await service.worker_message(ticket.id, WORKER, text="老板说下周才发", attachment=None)
    await service.worker_message(ticket.id, WORKER, attachment={"kind": "photo", "file_id": "F1", "name": "欠条"})
    staff = [m for m in await drain(service)]
    assert [m.channel for m in staff] == ["staff", "staff"]
    assert "老板说下周才发" in staff[0].text and "小李" in staff[0].text
    assert "照片「欠条」" in staff[1].text
    current = await service.get(ticket.id)
    assert current.state == State.ASSIGNED
    assert current.intake.evidence == [{"kind": "photo", "file_id": "F1", "name": "欠条"}]


async def test_worker_cannot_write_on_someone_elses_ticket(service):
    ticket = await new_ticket(service)
    with pytest.raises(AccessError):
        await service.worker_message(ticket.id, Actor("worker", "telegram:2002"), text="hi")
    with pytest.raises(AccessError):
        await service.worker_message(ticket.id, Actor("worker", "1001"), text="hi")   # id without channel


async def test_worker_message_on_a_closed_ticket_is_kept_and_staff_asked_to_reopen(service):
    ticket = await new_ticket(service)
    await service.change_state(ticket.id, STAFF_A, State.CLOSED, reason="工人撤回")
    await drain(service)
    await service.worker_message(ticket.id, WORKER, text="老板又不给钱了")
    staff = await drain(service)
    assert len(staff) == 1 and "重新打开" in staff[0].text and staff[0].meta["actions"] == ["reopen"]
    assert (await service.get(ticket.id)).state == State.CLOSED


async def test_staff_actions_need_staff(service):
    ticket = await new_ticket(service)
    for call in (
        service.claim(ticket.id, WORKER),
        service.reply(ticket.id, WORKER, "x"),
        service.note(ticket.id, WORKER, "x"),
        service.change_state(ticket.id, WORKER, State.CLOSED, reason="x"),
        service.reopen(ticket.id, WORKER, "x"),
        service.assign(ticket.id, WORKER, STAFF_A.id),
    ):
        with pytest.raises(AccessError):
            await call


async def test_unknown_ticket_gives_a_clear_error(service):
    for call in (
        service.get(999),
        service.claim(999, STAFF_A),
        service.note(999, STAFF_A, "x"),
        service.reply(999, STAFF_A, "x"),
        service.change_state(999, STAFF_A, State.CLOSED, reason="x"),
        service.reopen(999, STAFF_A, "x"),
        service.events(999),
        service.worker_message(999, WORKER, text="x"),
    ):
        with pytest.raises(TicketNotFound, match="999"):
            await call


async def test_note_is_internal(service):
    ticket = await new_ticket(service)
    await drain(service)
    await service.note(ticket.id, STAFF_A, "站长电话 139xxxx，明天打")
    assert await service.outbox_pending() == []
    assert (await service.events(ticket.id))[-1].note == "站长电话 139xxxx，明天打"
    with pytest.raises(ValueError):
        await service.note(ticket.id, STAFF_A, "  ")


async def test_reasons_required_to_close_and_transfer(service):
    ticket = await new_ticket(service)
    with pytest.raises(TransitionError, match="原因"):
        await service.change_state(ticket.id, STAFF_A, State.CLOSED)
    with pytest.raises(TransitionError, match="原因"):
        await service.change_state(ticket.id, STAFF_A, State.TRANSFERRED, reason="   ", transfer_to="劳动仲裁委")
    moved = await service.change_state(ticket.id, STAFF_A, State.TRANSFERRED, reason="需要仲裁", transfer_to="劳动仲裁委")
    assert moved.state == State.TRANSFERRED
    last = (await drain(service))[-1]
    assert "劳动仲裁委" in last.text and "需要仲裁" in last.text


async def test_resolve_needs_the_amount_recovered_and_zero_is_allowed(service):
    ticket = await new_ticket(service)
    await service.claim(ticket.id, STAFF_A)
    with pytest.raises(TransitionError, match="追回金额"):
        await service.change_state(ticket.id, STAFF_A, State.RESOLVED)
    with pytest.raises(TransitionError, match="追回金额"):
        await service.change_state(ticket.id, STAFF_A, State.RESOLVED, amount_recovered=-5)
    with pytest.raises(TransitionError, match="追回金额"):
        await service.change_state(ticket.id, STAFF_A, State.MEDIATING, amount_recovered=100)
    done = await service.change_state(ticket.id, STAFF_A, State.RESOLVED, amount_recovered=0)
    assert done.amount_recovered == 0
    assert "追回" not in (await drain(service))[-1].text


async def test_reopen_returns_to_assignee_or_to_new(service):
    claimed = await new_ticket(service)
    await service.claim(claimed.id, STAFF_A)
    await service.change_state(claimed.id, STAFF_A, State.RESOLVED, amount_recovered=500)
    back = await service.reopen(claimed.id, STAFF_A, "老板只给了一半")
    assert back.state == State.ASSIGNED and back.assignee == STAFF_A.id
    assert back.amount_recovered is None and back.resolved_at is None
    unclaimed = await new_ticket(service)
    await service.change_state(unclaimed.id, STAFF_A, State.CLOSED, reason="重复提交")
    assert (await service.reopen(unclaimed.id, STAFF_B, "不是重复")).state == State.NEW
    reopen_msgs = [m for m in await drain(service) if m.meta.get("event") == "reopened"]
    assert {m.channel for m in reopen_msgs} == {"telegram", "staff"}


async def test_reply_is_signed_and_counts_as_first_response(service, clock):
    ticket = await new_ticket(service)
    await drain(service)
    clock.advance(minutes=12)
    await service.reply(ticket.id, STAFF_A, "你好，我是工会调解员，方便说说情况吗？")
    reply = (await drain(service))[0]
    assert reply.kind == "reply" and reply.text.startswith("【工会调解员】")
    current = await service.get(ticket.id)
    assert current.state == State.NEW     # a reply does not claim
    assert current.first_response_at == clock.now()


async def test_tickets_of_and_active_ticket_of(service):
    old = await new_ticket(service)
    await service.change_state(old.id, STAFF_A, State.CLOSED, reason="已自行解决")
    current = await new_ticket(service)
    await new_ticket(service, user="3003")
    mine = await service.tickets_of("telegram", "1001")
    assert [t.id for t in mine] == [current.id, old.id]
    assert (await service.active_ticket_of("telegram", "1001")).id == current.id
    await service.change_state(current.id, STAFF_A, State.CLOSED, reason="已自行解决")
    assert await service.active_ticket_of("telegram", "1001") is None
    assert await service.active_ticket_of("console", "1001") is None


async def test_by_code_accepts_what_staff_type(service):
    ticket = await new_ticket(service)
    assert (await service.by_code(" gy-20261123-1 ")).id == ticket.id
    assert (await service.by_code(ticket.code)).id == ticket.id
    assert await service.by_code("GY-20261123-0099") is None
    assert await service.by_code("hello") is None


async def test_staff_thread_maps_both_ways_and_is_unique(service):
    a = await new_ticket(service)
    b = await new_ticket(service)
    await service.set_staff_thread(a.id, "topic:77")
    assert (await service.ticket_by_staff_thread("topic:77")).id == a.id
    assert (await service.get(a.id)).staff_thread == "topic:77"
    with pytest.raises(ValueError, match=a.code):
        await service.set_staff_thread(b.id, "topic:77")
    assert await service.ticket_by_staff_thread("topic:78") is None


async def test_queue_orders_by_priority_then_age_and_hides_finished(service, clock):
    normal_old = await new_ticket(service)
    clock.advance(minutes=1)
    high = await new_ticket(service, injury=True)
    clock.advance(minutes=1)
    urgent = await new_ticket(service, kind=Kind.URGENT)
    clock.advance(minutes=1)
    normal_new = await new_ticket(service)
    done = await new_ticket(service)
    await service.change_state(done.id, STAFF_A, State.CLOSED, reason="重复")
    queue = await service.queue()
    assert [t.id for t in queue] == [urgent.id, high.id, normal_old.id, normal_new.id]
    await service.claim(high.id, STAFF_A)
    assert [t.id for t in await service.queue(assignee=STAFF_A.id)] == [high.id]
    assert len(await service.queue(limit=2)) == 2


async def test_record_is_at_most_once_per_key(service, db, clock, texts):
    from bot.tickets.outbox import Outgoing

    ticket = await new_ticket(service)
    await drain(service)
    reminder = Outgoing("staff", "", f"⏰ {ticket.code} 已超过 24 小时未接单", kind="reminder", ticket_id=ticket.id)
    first = await service.record(ticket.id, Actor("system", "scheduler"), "reminder", dedupe_key=f"sla:{ticket.id}:24h",
                                 data={"sla": "first_response"}, messages=[reminder])
    again = await service.record(ticket.id, Actor("system", "scheduler"), "reminder", dedupe_key=f"sla:{ticket.id}:24h",
                                 messages=[reminder])
    assert (first, again) == (True, False)
    # a restart with a fresh service over the same file still refuses the repeat
    restarted = TicketService(db, clock, texts)
    assert await restarted.record(ticket.id, Actor("system", "scheduler"), "reminder",
                                  dedupe_key=f"sla:{ticket.id}:24h", messages=[reminder]) is False
    assert [m.kind for m in await drain(service)] == ["reminder"]
    assert [e.type for e in await service.events(ticket.id)].count("reminder") == 1


async def test_priority_from_the_intake(service):
    assert (await new_ticket(service, amount=10_000)).priority == Priority.HIGH
    assert (await new_ticket(service, amount=9_999)).priority == Priority.NORMAL
    assert (await new_ticket(service, headcount=12)).priority == Priority.HIGH
    assert (await new_ticket(service, injury=True)).priority == Priority.HIGH
    assert (await new_ticket(service, kind=Kind.URGENT)).priority == Priority.URGENT


async def test_a_higher_threshold_setting_is_used(db, clock, texts):
    strict = TicketService(db, clock, texts, high_amount_yuan=50_000)
    assert (await new_ticket(strict, amount=20_000)).priority == Priority.NORMAL


async def test_bad_intake_is_refused_before_writing(service):
    with pytest.raises(ValueError):
        await new_ticket(service, amount=-1)
    with pytest.raises(ValueError):
        await service.create(channel="", user_id="1", kind=Kind.MEDIATION, intake=Intake(), consent=None, actor=WORKER)
    assert await service.queue() == []
    assert (await new_ticket(service)).code.endswith("-0001")    # the refused ones used no number


async def test_waiting_time_is_accumulated(service, db, clock):
    ticket = await new_ticket(service)
    await service.claim(ticket.id, STAFF_A)
    await service.change_state(ticket.id, STAFF_A, State.WAITING)
    clock.advance(hours=3)
    await service.change_state(ticket.id, STAFF_A, State.MEDIATING)
    await service.change_state(ticket.id, STAFF_A, State.WAITING)
    clock.advance(hours=1)
    await service.worker_message(ticket.id, WORKER, text="补充好了")
    row = (await db.conn.execute_fetchall("SELECT waiting_total_s, waiting_since FROM tickets WHERE id = ?",
                                          (ticket.id,)))[0]
    assert row[0] == timedelta(hours=4).total_seconds() and row[1] is None


async def test_open_clocks_give_sla_times(service, clock):
    quiet = await new_ticket(service)
    busy = await new_ticket(service, injury=True)
    done = await new_ticket(service)
    await service.change_state(done.id, STAFF_A, State.CLOSED, reason="重复")
    clock.advance(hours=1)
    await service.claim(busy.id, STAFF_A)
    await service.note(busy.id, STAFF_A, "内部备注不算")        # not told to the worker
    await service.change_state(busy.id, STAFF_A, State.WAITING, reason="补材料")
    clock.advance(hours=2)
    clocks = await service.open_clocks()
    assert [c.ticket.id for c in clocks] == [busy.id, quiet.id]      # high before normal, closed left out
    busy_clock, quiet_clock = clocks
    assert busy_clock.last_update_at == clock.now() - timedelta(hours=2)
    assert busy_clock.waiting_since == clock.now() - timedelta(hours=2) and busy_clock.waiting_total_s == 0
    assert quiet_clock.last_update_at is None and quiet_clock.waiting_since is None
