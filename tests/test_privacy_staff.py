"""Staff erasing a worker's data on request in the console (`forget CODE`, then `forget CODE 确认`),
and the worker's /mydata and /forget in the console chat."""

from __future__ import annotations

import io

import pytest

from bot.channels.console.io import ConsoleIO
from bot.channels.console.staff import StaffConsole
from bot.channels.console.worker import WorkerConsole
from bot.privacy.service import Privacy
from bot.services import Services
from bot.tickets.api import AccessError, Actor, Intake, Kind

STAFF = Actor("staff", "console:李姐", "李姐")
WORKER = Actor("worker", "telegram:3101", "陈大哥")
PHONE = "13655556666"


async def staff(services: Services, lines: list[str]) -> str:
    out = io.StringIO()
    console = StaffConsole(services, ConsoleIO(io.StringIO("\n".join(lines) + "\n"), out), STAFF, poll_interval=3600)
    assert await console.run() == 0
    return out.getvalue()


async def two_tickets(services: Services) -> tuple[str, str]:
    codes = []
    for summary in ("货车运费被平台扣了两千", "装卸时砸伤了脚"):
        ticket = await services.tickets.create(
            channel="telegram", user_id="3101", kind=Kind.MEDIATION, consent=None, actor=WORKER,
            intake=Intake(topic="wage", summary=summary, phone=PHONE, employer="某物流公司"))
        codes.append(ticket.code)
    return codes[0], codes[1]


async def test_forget_asks_then_erases_every_ticket_of_the_worker_with_an_event(services):
    first, second = await two_tickets(services)
    asked = await staff(services, [f"forget {first}"])
    assert "2 个工单" in asked and f"forget {first} 确认" in asked
    assert (await services.tickets.by_code(first)).intake.phone == PHONE          # asking changed nothing

    done = await staff(services, [f"forget {first} 确认"])
    assert "已删除：2 个工单" in done and second in done
    for code in (first, second):
        ticket = await services.tickets.by_code(code)
        assert ticket.user_id == "" and ticket.intake.phone == "" and ticket.intake.summary == ""
        last = (await services.tickets.events(ticket.id))[-1]
        assert (last.type, last.actor.role, last.actor.id) == ("erased", "staff", STAFF.id)

    again = await staff(services, [f"forget {second} 确认", f"forget {second}"])
    assert again.count("已经删除过了") == 2


async def test_forget_needs_a_known_code(services):
    said = await staff(services, ["forget", "forget GY-20990101-0001 确认"])
    assert "用法：forget 编号 确认" in said and "找不到工单" in said


async def test_only_staff_may_erase_on_a_workers_behalf(services):
    first, _ = await two_tickets(services)
    ticket = await services.tickets.by_code(first)
    privacy = Privacy(services.db, services.texts, services.clock)
    for actor in (WORKER, Actor("system", "x"), Actor("worker", "telegram:999", "别人")):
        with pytest.raises(AccessError):
            await privacy.erase_by_ticket(ticket.id, actor)
    assert (await services.tickets.get(ticket.id)).intake.phone == PHONE


async def test_the_console_worker_sees_and_erases_their_data(services):
    out = io.StringIO()
    lines = ["/start", "我要投诉，老板欠我工资3000块", "1", "/mydata", "/forget", "1", "/mydata"]
    console = WorkerConsole(services, ConsoleIO(io.StringIO("\n".join(lines) + "\n"), out), user_id="local",
                            poll_interval=3600)
    assert await console.run() == 0
    shown = out.getvalue()
    assert "没填完的登记" in shown and "老板欠我工资3000块" in shown        # the draft, with its consent
    assert "确定要删除" in shown and "没填完的登记和聊天进度" in shown
    assert "没有存你的个人信息" in shown.split("没填完的登记和聊天进度")[-1]       # the last /mydata
