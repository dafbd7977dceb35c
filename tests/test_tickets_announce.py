"""A ticket the dialogue opens is told to the worker once: in the dialogue's reply when that is
delivered, else (reply lost) by the held-back outbox confirmation — never lost, never twice."""

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.dialogue.types import Incoming, UserRef
from bot.services import Services
from bot.tickets.api import Actor, Intake, Kind
from bot.tickets.service import REPLY_GRACE

URGENT = "我们几十个人被锁在厂里不让出去"


async def pending_for(services, channel):
    return [m for m in await services.tickets.outbox_pending(limit=100) if m.channel == channel]


async def open_services(tmp_path):
    clock = FakeClock(datetime(2026, 11, 23, 2, tzinfo=UTC))
    return await Services.open(tmp_path / "g.db", clock=clock), clock


async def test_held_back_confirmation_is_settled_by_the_delivered_reply(tmp_path):
    services, clock = await open_services(tmp_path)
    try:
        replies = await services.dialogue.handle(Incoming(UserRef("console", "w9"), text=URGENT))
        [ticket] = await services.tickets.tickets_of("console", "w9")
        assert ticket.kind == Kind.URGENT
        told = [r for r in replies if r.settles]
        assert [r.settles for r in told] == [(ticket.id,)] and ticket.code in told[0].text
        assert len(await pending_for(services, "staff")) == 1          # staff alerted at once
        assert await pending_for(services, "console") == []            # held back while the reply goes out
        await services.tickets.settle_told(ticket.id)                  # the channel delivered the reply
        clock.advance(REPLY_GRACE * 2)
        assert await pending_for(services, "console") == []            # so the worker is not told twice
    finally:
        await services.close()


async def test_held_back_confirmation_goes_out_when_the_reply_was_lost(tmp_path):
    services, clock = await open_services(tmp_path)
    try:
        await services.dialogue.handle(Incoming(UserRef("console", "w9"), text=URGENT))
        [ticket] = await services.tickets.tickets_of("console", "w9")
        clock.advance(REPLY_GRACE)                                      # no settle: the reply never arrived
        [message] = await pending_for(services, "console")
        assert message.recipient == "w9" and ticket.code in message.text
    finally:
        await services.close()


async def test_a_ticket_opened_without_a_reply_is_announced_at_once(tmp_path):
    services, _ = await open_services(tmp_path)
    try:
        ticket = await services.tickets.create(channel="console", user_id="w2", kind=Kind.MEDIATION,
                                               intake=Intake(topic="wage", summary="欠薪"), consent=None,
                                               actor=Actor("worker", "console:w2"))
        [message] = await pending_for(services, "console")
        assert message.recipient == "w2" and ticket.code in message.text
    finally:
        await services.close()


async def test_a_form_submitted_twice_files_one_ticket(tmp_path):
    """A crash after the ticket commits but before the conversation is saved leaves the form at its
    last question; Telegram then re-sends the button press. The same form must not file twice."""
    from bot.dialogue import buttons as B

    services, _ = await open_services(tmp_path)
    worker = UserRef("console", "w5")
    try:
        await services.dialogue.handle(Incoming(worker, button=B.HUMAN))
        before, _ = await services.dialogue.store.load(worker.key)          # the form, waiting for consent
        assert before.flow == "callback" and before.draft.get("form_id")
        first = await services.dialogue.handle(Incoming(worker, button=B.CALLBACK_YES))
        await services.dialogue.store.save(worker.key, before, services.clock.now())   # as if never saved
        second = await services.dialogue.handle(Incoming(worker, button=B.CALLBACK_YES))
        [ticket] = await services.tickets.tickets_of("console", "w5")
        assert ticket.code in "\n".join(r.text for r in first) and ticket.code in "\n".join(r.text for r in second)
        assert [e.type for e in await services.tickets.events(ticket.id)] == ["created"]
        assert len(await pending_for(services, "staff")) == 1                # one alert, not two
    finally:
        await services.close()
