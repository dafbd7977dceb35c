"""`gongyou staff`: union staff work the ticket queue in the terminal, on the same database.

Commands: queue, show CODE, claim CODE, reply CODE text, note CODE text,
state CODE mediating|waiting [reason]|resolved AMOUNT|transferred TARGET reason|closed reason,
reopen CODE reason, forget CODE [确认] (erase the worker's personal data on their request),
stats, help, quit. A ticket may be named by its code (GY-20261123-0007, case
and dashes forgiven) or its number. Staff-channel outbox messages (new tickets, urgent alerts,
workers' follow-ups) are printed as they arrive and marked sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
from pathlib import Path
from typing import TextIO

from bot.channels.console.cli import console_services
from bot.channels.console.io import ConsoleIO
from bot.clock import to_local
from bot.privacy.service import Privacy
from bot.scheduler import satisfaction
from bot.services import Services
from bot.texts import Texts
from bot.tickets.api import AccessError, Actor, State, Ticket, TicketNotFound, TransitionError

log = logging.getLogger(__name__)

STAFF_CHANNEL = "staff"
PROMPT = "staff> "
SUMMARY_WIDTH = 36
MAX_DRAIN_ROUNDS = 50
CONFIRM_WORDS = ("确认", "yes", "y")
STATE_ARGS = {
    "mediating": State.MEDIATING, "waiting": State.WAITING, "resolved": State.RESOLVED,
    "transferred": State.TRANSFERRED, "closed": State.CLOSED,
}


class CommandError(ValueError):
    """A command typed wrong; the message says how to type it."""


class StaffConsole:
    def __init__(self, services: Services, io: ConsoleIO, staff: Actor, *, poll_interval: float = 1.0) -> None:
        self.services = services
        self.tickets = services.tickets
        self.texts: Texts = services.texts
        self.io = io
        self.staff = staff
        self.poll_interval = poll_interval
        self._outbox_lock = asyncio.Lock()

    def t(self, key: str, **values: object) -> str:
        return self.texts.render(key, **values)

    def label(self, group: str, value: str) -> str:
        for key in (f"console.{group}.{value}", f"tickets.{group}.{value}"):
            if key in self.texts:
                return self.t(key)
        return value

    # ---- outbox ---------------------------------------------------------------------------------
    async def drain_outbox(self) -> int:
        shown = 0
        async with self._outbox_lock:
            for _ in range(MAX_DRAIN_ROUNDS):       # one message per recipient per call: ask until empty
                messages = await self.tickets.outbox_pending(channel=STAFF_CHANNEL, limit=100)
                if not messages:
                    break
                for message in messages:
                    self.io.write("")
                    self.io.write(message.text)
                    await self.tickets.outbox_mark_sent(message.id, meta={"console": self.staff.id})
                    shown += 1
        return shown

    # ---- commands -------------------------------------------------------------------------------
    async def execute(self, line: str) -> bool:
        """Run one command line; False when the staff member quits."""
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if not words:
            return True
        command, args = words[0].lower(), words[1:]
        if command in ("quit", "exit", "q"):
            return False
        handler = {
            "queue": self.cmd_queue, "show": self.cmd_show, "claim": self.cmd_claim, "reply": self.cmd_reply,
            "note": self.cmd_note, "state": self.cmd_state, "reopen": self.cmd_reopen, "stats": self.cmd_stats,
            "help": self.cmd_help, "forget": self.cmd_forget,
        }.get(command)
        if handler is None:
            self.io.write(self.t("console.staff.unknown", command=command))
            return True
        try:
            await handler(args, line)
        except CommandError as exc:
            self.io.write(str(exc))
        except (TransitionError, AccessError, TicketNotFound, ValueError) as exc:
            self.io.write(self.t("console.staff.refused", reason=str(exc)))
        await self.drain_outbox()
        return True

    async def ticket(self, ref: str) -> Ticket:
        ticket = await self.tickets.by_code(ref)
        if ticket is None and ref.lstrip("#").isdigit():
            with contextlib.suppress(TicketNotFound):
                ticket = await self.tickets.get(int(ref.lstrip("#")))
        if ticket is None:
            raise CommandError(self.t("console.staff.no_ticket", ref=ref))
        return ticket

    def _need(self, args: list[str], count: int, usage_key: str) -> None:
        if len(args) < count:
            raise CommandError(self.t("console.staff.usage", usage=self.t(usage_key)))

    @staticmethod
    def _rest(line: str, skip: int) -> str:
        """The free text after the first `skip` words, as typed (quotes and spacing kept)."""
        parts = line.strip().split(None, skip)
        return parts[skip].strip() if len(parts) > skip else ""

    async def cmd_help(self, args: list[str], line: str) -> None:
        self.io.write(self.t("console.staff.help"))

    async def cmd_queue(self, args: list[str], line: str) -> None:
        limit = int(args[0]) if args and args[0].isdigit() else 50
        tickets = await self.tickets.queue(limit=limit)
        if not tickets:
            self.io.write(self.t("console.staff.queue_empty"))
            return
        self.io.write(self.t("console.staff.queue_head", count=len(tickets)))
        for ticket in tickets:
            self.io.write(self.queue_line(ticket))

    def queue_line(self, ticket: Ticket) -> str:
        summary = (ticket.intake.summary or ticket.intake.source_text).replace("\n", " ")
        if len(summary) > SUMMARY_WIDTH:
            summary = summary[: SUMMARY_WIDTH - 1] + "…"
        return "  ".join([
            ticket.code, self.label("priority", ticket.priority), self.label("state", ticket.state),
            self.label("topic", ticket.topic), _when(ticket), ticket.assignee or "-", summary,
        ])

    async def cmd_show(self, args: list[str], line: str) -> None:
        self._need(args, 1, "console.staff.usage.show")
        ticket = await self.ticket(args[0])
        intake = ticket.intake
        place = (intake.city + intake.district).strip()
        self.io.write(self.t(
            "console.staff.detail", code=ticket.code, id=ticket.id, kind=self.label("kind", ticket.kind),
            priority=self.label("priority", ticket.priority), state=self.label("state", ticket.state),
            topic=self.label("topic", ticket.topic), created=_when(ticket), assignee=ticket.assignee or "-",
            worker=f"{ticket.channel}:{ticket.user_id}", phone=intake.phone or "-", employer=intake.employer or "-",
            platform=intake.platform or "-", place=place or "-",
            amount="-" if intake.amount is None else _money(intake.amount),
            headcount="-" if intake.headcount is None else intake.headcount,
            evidence=len(intake.evidence), summary=intake.summary or "-", source=intake.source_text or "-",
        ))
        for event in await self.tickets.events(ticket.id):
            when = to_local(event.at).strftime("%m-%d %H:%M")
            who = event.actor.name or event.actor.id
            detail = event.note or _event_data(event.data)
            self.io.write(f"  {when}  {self.label('event', event.type)}  {who}  {detail}".rstrip())

    async def cmd_claim(self, args: list[str], line: str) -> None:
        self._need(args, 1, "console.staff.usage.claim")
        ticket = await self.tickets.claim((await self.ticket(args[0])).id, self.staff)
        self.io.write(self.t("console.staff.claimed", code=ticket.code))

    async def cmd_reply(self, args: list[str], line: str) -> None:
        self._need(args, 2, "console.staff.usage.reply")
        ticket = await self.ticket(args[0])
        await self.tickets.reply(ticket.id, self.staff, self._rest(line, 2))
        self.io.write(self.t("console.staff.replied", code=ticket.code))

    async def cmd_note(self, args: list[str], line: str) -> None:
        self._need(args, 2, "console.staff.usage.note")
        ticket = await self.ticket(args[0])
        await self.tickets.note(ticket.id, self.staff, self._rest(line, 2))
        self.io.write(self.t("console.staff.noted", code=ticket.code))

    async def cmd_state(self, args: list[str], line: str) -> None:
        self._need(args, 2, "console.staff.usage.state")
        ticket = await self.ticket(args[0])
        target = STATE_ARGS.get(args[1].lower())
        if target is None:
            raise CommandError(self.t("console.staff.usage", usage=self.t("console.staff.usage.state")))
        amount: float | None = None
        transfer_to = ""
        reason = self._rest(line, 3)
        if target is State.RESOLVED:
            self._need(args, 3, "console.staff.usage.state")
            try:
                amount = float(args[2].rstrip("元"))
            except ValueError:
                raise CommandError(self.t("console.staff.usage", usage=self.t("console.staff.usage.state"))) from None
            reason = self._rest(line, 4)
        elif target is State.TRANSFERRED:
            self._need(args, 4, "console.staff.usage.state")
            transfer_to = args[2]
            reason = self._rest(line, 4)
        updated = await self.tickets.change_state(ticket.id, self.staff, target, reason=reason,
                                                  amount_recovered=amount, transfer_to=transfer_to)
        self.io.write(self.t("console.staff.state_changed", code=updated.code, state=self.label("state", updated.state)))

    async def cmd_reopen(self, args: list[str], line: str) -> None:
        self._need(args, 2, "console.staff.usage.reopen")
        ticket = await self.ticket(args[0])
        updated = await self.tickets.reopen(ticket.id, self.staff, self._rest(line, 2))
        self.io.write(self.t("console.staff.state_changed", code=updated.code, state=self.label("state", updated.state)))

    async def cmd_forget(self, args: list[str], line: str) -> None:
        """On a worker's request: `forget CODE` says what would go, `forget CODE 确认` erases (bot.privacy)."""
        self._need(args, 1, "console.staff.usage.forget")
        ticket = await self.ticket(args[0])
        privacy = Privacy(self.services.db, self.texts, self.services.clock)
        if len(args) < 2 or args[1].lower() not in CONFIRM_WORDS:
            count = await privacy.tickets_of_worker_behind(ticket.id)
            key = "console.staff.forget_ask" if count else "console.staff.forget_already"
            self.io.write(self.t(key, code=ticket.code, count=count))
            return
        result = await privacy.erase_by_ticket(ticket.id, self.staff)
        if result is None:
            self.io.write(self.t("console.staff.forget_already", code=ticket.code, count=0))
            return
        self.io.write(self.t("console.staff.forget_done", tickets=result.tickets, codes="、".join(result.codes),
                             messages=result.messages, files=result.files))

    async def cmd_stats(self, args: list[str], line: str) -> None:
        stats = await self.tickets.stats()
        by_state = "  ".join(f"{self.label('state', k)} {v}" for k, v in sorted(stats.by_state.items())) or "-"
        by_topic = "  ".join(f"{self.label('topic', k)} {v}" for k, v in sorted(stats.by_topic.items())) or "-"
        self.io.write(self.t(
            "console.staff.stats", total=stats.total, by_state=by_state, by_topic=by_topic,
            first_response=_duration(stats.median_first_response_s), resolution=_duration(stats.median_resolution_s),
            recovered=_money(stats.amount_recovered),
        ))
        self.io.write(satisfaction.describe(await satisfaction.compute(self.tickets.db), self.texts))   # survey

    # ---- loop -----------------------------------------------------------------------------------
    async def run(self) -> int:
        self.io.start()
        self.io.write(self.t("console.staff.banner", name=self.staff.name or self.staff.id))
        await self.drain_outbox()
        await self.io.serve(PROMPT, self.execute, self.drain_outbox, self.poll_interval)
        return 0


async def staff_console(db_path: Path | None, *, stdin: TextIO, stdout: TextIO, name: str,
                        data: Path | None = None, poll_interval: float = 1.0) -> int:
    async with console_services(db_path, data, stdin, stdout) as services:
        staff = Actor("staff", f"console:{name}", name)
        return await StaffConsole(services, ConsoleIO(stdin, stdout), staff, poll_interval=poll_interval).run()


def _when(ticket: Ticket) -> str:
    return to_local(ticket.created_at).strftime("%m-%d %H:%M")


def _money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " 元"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    hours = seconds / 3600
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


def _event_data(data: dict[str, object]) -> str:
    parts = [f"{k}={v}" for k, v in data.items() if v not in (None, "", [], {})]
    return " ".join(parts)[:120]
