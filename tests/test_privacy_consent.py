"""Consent is recorded with the ticket — which text (key + hash of its wording) and when it was
agreed, not when the form was sent — and /mydata shows it back to the worker."""

from __future__ import annotations

import hashlib

from bot.clock import to_local
from bot.dialogue import buttons as B
from bot.dialogue.types import Incoming, UserRef
from bot.services import Services

WORKER = UserRef("telegram", "7301")


async def turn(services: Services, **what):
    return await services.dialogue.handle(Incoming(WORKER, display_name="小林", **what))


async def consent_row(services: Services):
    async with services.db.transaction(write=False) as conn:
        return (await conn.execute_fetchall("SELECT consent_version, consent_at, created_at FROM tickets"))[-1]


def version_of(services: Services, key: str) -> str:
    text = services.texts.render(key)
    return f"{key}#{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


async def test_the_intake_records_the_text_agreed_to_and_when(services, clock):
    await turn(services, button=B.COMPLAIN)
    await turn(services, button="in:consent:yes")
    agreed = clock.now()
    clock.advance(minutes=7)                           # filling the form takes a while
    await turn(services, button="in:topic:wage")
    for answer in ("这个月工资少发了一千二", "某某站点", "厦门市集美区"):
        await turn(services, text=answer)
    for skip in ("in:skip:amount", "in:skip:phone", "in:skip:evidence"):
        await turn(services, button=skip)
    await turn(services, button="in:submit")
    row = await consent_row(services)
    assert row["consent_version"] == version_of(services, "intake.consent")
    assert row["consent_at"] == agreed.isoformat(timespec="microseconds")
    assert row["created_at"] > row["consent_at"]
    shown = "\n".join(r.text for r in await turn(services, command="mydata"))
    assert "申请调解时的个人信息说明" in shown and row["consent_version"].split("#")[1] in shown
    assert f"你在 {to_local(agreed):%Y-%m-%d %H:%M} 点了同意" in shown


async def test_a_callback_records_its_own_consent_text(services):
    await turn(services, button=B.HUMAN)
    await turn(services, button=B.CALLBACK_YES)
    row = await consent_row(services)
    assert row["consent_version"] == version_of(services, "human.consent")
    shown = "\n".join(r.text for r in await turn(services, command="mydata"))
    assert "找人工时的个人信息说明" in shown


async def test_an_urgent_case_opened_before_any_form_says_there_was_no_consent(services):
    await turn(services, text="救命，我被车撞了，腿在流血")
    tickets = await services.tickets.tickets_of(WORKER.channel, WORKER.user_id)
    assert [t.kind for t in tickets] == ["urgent"]
    row = await consent_row(services)
    assert row["consent_version"] is None and row["consent_at"] is None
    shown = "\n".join(r.text for r in await turn(services, command="mydata"))
    assert "同意书：没有记录" in shown


async def test_changed_wording_is_a_new_version(services):
    before = version_of(services, "intake.consent")
    services.texts._texts["intake.consent"] += "（修订）"
    try:
        assert services.dialogue.intake.consent_version() != before
    finally:
        services.texts._texts["intake.consent"] = services.texts._texts["intake.consent"].removesuffix("（修订）")
