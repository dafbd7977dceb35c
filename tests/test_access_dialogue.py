"""A worker cannot reach another worker's ticket through the dialogue: not by a guessed code, not by
/mytickets, not by forged button payloads (tk:, sv:, pd:), and old buttons pressed again change
nothing. Each case checks the reply shows none of the other worker's data and the database is unchanged."""

from __future__ import annotations

import pytest

from bot.dialogue import buttons as B
from bot.dialogue.types import Incoming, UserRef
from bot.services import Services
from bot.tickets.api import Actor, Intake, Kind, State

VICTIM = UserRef("telegram", "8101")
GUESSER = UserRef("telegram", "8102")
SECRET_SUMMARY = "站长把我的电动车扣了不还"
SECRET_PHONE = "13566667777"
STAFF = Actor("staff", "telegram:9001", "李姐")


@pytest.fixture
async def victim_ticket(services: Services):
    ticket = await services.tickets.create(
        channel=VICTIM.channel, user_id=VICTIM.user_id, kind=Kind.MEDIATION, consent=None,
        actor=Actor("worker", VICTIM.key, "小孙"),
        intake=Intake(topic="platform", summary=SECRET_SUMMARY, phone=SECRET_PHONE, employer="某站点"))
    return ticket


async def tickets_snapshot(services: Services) -> dict[str, list[tuple]]:
    async with services.db.transaction(write=False) as conn:
        return {table: [tuple(r) for r in await conn.execute_fetchall(f"SELECT * FROM {table} ORDER BY 1")]
                for table in ("tickets", "events", "outbox")}


async def guess(services: Services, **what) -> str:
    replies = await services.dialogue.handle(Incoming(GUESSER, display_name="老吴", **what))
    return "\n".join(r.text + " " + " ".join(b.data for row in r.buttons for b in row) for r in replies)


def shows_nothing_of(said: str, ticket) -> None:
    for secret in (SECRET_SUMMARY, SECRET_PHONE, ticket.code, "小孙", "某站点"):
        assert secret not in said, secret


async def test_the_other_workers_ticket_button_shows_nothing(services, victim_ticket):
    before = await tickets_snapshot(services)
    said = await guess(services, button=B.ticket(victim_ticket.id))
    assert "过期" in said
    shows_nothing_of(said, victim_ticket)
    assert await tickets_snapshot(services) == before


@pytest.mark.parametrize("text", ["{code}", "查一下{code}的进度", "我的工单 {code} 怎么样了", "{code} 电话改成 13900001111"])
async def test_a_guessed_code_reads_nothing_and_reaches_no_ticket(services, victim_ticket, text):
    before = await tickets_snapshot(services)
    said = await guess(services, text=text.format(code=victim_ticket.code))
    shows_nothing_of(said, victim_ticket)
    after = await tickets_snapshot(services)
    assert after["events"] == before["events"] and after["tickets"] == before["tickets"]


async def test_mytickets_lists_only_ones_own(services, victim_ticket):
    said = await guess(services, command="mytickets")
    shows_nothing_of(said, victim_ticket)
    said = await guess(services, button=B.STATUS)
    shows_nothing_of(said, victim_ticket)


async def test_mydata_shows_nothing_of_the_other_worker(services, victim_ticket):
    said = await guess(services, command="mydata")
    shows_nothing_of(said, victim_ticket)


@pytest.mark.parametrize("data", ["tk:", "tk:abc", "tk:-1", "tk:0", "tk:99999999", "tk:1:claim", "tk:" + "9" * 40,
                                  "tk:１", "zz:1", "", ":", "m:../../etc", "in:submit", "in:edit:phone", "hu:yes",
                                  "ur:skip", "faq:no_such_entry", "sv:1:5"])
async def test_forged_or_stale_payloads_change_nothing(services, victim_ticket, data):
    before = await tickets_snapshot(services)
    said = await guess(services, button=data)
    shows_nothing_of(said, victim_ticket)
    assert await tickets_snapshot(services) == before


async def test_the_other_workers_survey_button_records_nothing(services, victim_ticket):
    await services.tickets.claim(victim_ticket.id, STAFF)
    await services.tickets.change_state(victim_ticket.id, STAFF, State.MEDIATING)
    await services.tickets.change_state(victim_ticket.id, STAFF, State.RESOLVED, amount_recovered=0)
    before = await tickets_snapshot(services)
    for choice in ("1", "5", "skip"):
        said = await guess(services, button=f"sv:{victim_ticket.id}:{choice}")
        shows_nothing_of(said, victim_ticket)
    assert await tickets_snapshot(services) == before


async def test_a_forged_forget_button_erases_only_the_presser(services, victim_ticket):
    from bot.privacy.flow import forget_payload

    await guess(services, button=B.COMPLAIN)
    said = await guess(services, button=forget_payload(services.clock.now()))
    assert "没填完的登记" in said
    victim = await services.tickets.get(victim_ticket.id)
    assert victim.intake.phone == SECRET_PHONE and victim.user_id == VICTIM.user_id


async def test_the_submit_button_pressed_twice_files_one_ticket(services):
    await guess(services, button=B.COMPLAIN)
    await guess(services, button="in:consent:yes")
    await guess(services, button="in:topic:wage")
    for answer in ("这个月工资少发了八百块", "某某站点", "厦门市思明区"):
        await guess(services, text=answer)
    for skip in ("in:skip:amount", "in:skip:phone", "in:skip:evidence"):
        await guess(services, button=skip)
    assert "登记好了" in await guess(services, button="in:submit")
    before = await tickets_snapshot(services)
    for again in ("in:submit", "in:consent:yes", "in:skip:phone", "in:edit:summary"):
        said = await guess(services, button=again)
        assert "登记好了" not in said
    assert await tickets_snapshot(services) == before
    assert len(await services.tickets.tickets_of(GUESSER.channel, GUESSER.user_id)) == 1


async def test_the_callback_agreement_pressed_twice_files_one_ticket(services):
    await guess(services, button=B.HUMAN)
    await guess(services, button=B.CALLBACK_YES)
    before = await tickets_snapshot(services)
    await guess(services, button=B.CALLBACK_YES)
    assert await tickets_snapshot(services) == before
    assert len(await services.tickets.tickets_of(GUESSER.channel, GUESSER.user_id)) == 1
