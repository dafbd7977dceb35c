"""A ticket the dialogue opens is announced once: in the dialogue's reply, not again via the outbox."""

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.dialogue.types import Incoming, UserRef
from bot.services import Services
from bot.tickets.api import Actor, Intake, Kind


async def pending_for(services, channel):
    return [m for m in await services.tickets.outbox_pending(limit=100) if m.channel == channel]


async def test_announce_false_alerts_staff_but_not_the_worker(tmp_path):
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(datetime(2026, 11, 23, 2, tzinfo=UTC)))
    try:
        quiet = await services.tickets.create(channel="console", user_id="w1", kind=Kind.MEDIATION,
                                              intake=Intake(topic="wage", summary="欠薪"), consent=None,
                                              actor=Actor("worker", "console:w1"), announce=False)
        assert [m.meta.get("code") for m in await pending_for(services, "staff")] == [quiet.code]
        assert await pending_for(services, "console") == []
        loud = await services.tickets.create(channel="console", user_id="w2", kind=Kind.MEDIATION,
                                             intake=Intake(topic="wage", summary="欠薪"), consent=None,
                                             actor=Actor("worker", "console:w2"))
        assert [m.recipient for m in await pending_for(services, "console")] == ["w2"]
        assert loud.code != quiet.code
    finally:
        await services.close()


async def test_urgent_message_tells_the_code_once(tmp_path):
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(datetime(2026, 11, 23, 2, tzinfo=UTC)))
    try:
        replies = await services.dialogue.handle(Incoming(UserRef("console", "w9"), text="我们几十个人被锁在厂里不让出去"))
        text = "\n".join(r.text for r in replies)
        [ticket] = await services.tickets.tickets_of("console", "w9")
        assert ticket.code in text and ticket.kind == Kind.URGENT
        assert await pending_for(services, "console") == []          # no second "登记好了"
        assert len(await pending_for(services, "staff")) == 1         # staff alerted at once
    finally:
        await services.close()
