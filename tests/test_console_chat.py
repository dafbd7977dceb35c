"""The console channels driven as a person would: lines in, text out, on a real temp database.

In-process tests feed fake streams to the same loops `gongyou chat` and `gongyou staff` run; two
subprocess tests run the real commands through a pipe on a fresh data directory.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.channels.console.io import ConsoleIO, parse_number, safe
from bot.channels.console.staff import StaffConsole
from bot.channels.console.worker import WorkerConsole
from bot.dialogue.types import Button
from bot.services import Services
from bot.tickets.api import Actor

REPO = Path(__file__).resolve().parent.parent
STAFF = Actor("staff", "console:小李", "小李")


async def chat(services: Services, lines: list[str], user: str = "local") -> str:
    out = io.StringIO()
    console = WorkerConsole(services, ConsoleIO(io.StringIO("\n".join(lines) + "\n"), out), user_id=user,
                            poll_interval=3600)
    assert await console.run() == 0
    return out.getvalue()


async def staff(services: Services, lines: list[str]) -> str:
    out = io.StringIO()
    console = StaffConsole(services, ConsoleIO(io.StringIO("\n".join(lines) + "\n"), out), STAFF, poll_interval=3600)
    assert await console.run() == 0
    return out.getvalue()


WAGE_CASE = [
    "快递站老板欠我4300元工资两个月了，我要投诉",
    "1",                          # 同意
    "对",                         # topic 工资 (typed, not the number)
    "1",                          # amount 4300 对
    "九月十月工资没发，站长说公司没钱",
    "顺丰某某营业部",
    "厦门市湖里区",
    "13812345678",
    "/photo /nonexistent/工资条.jpg",
    "发完了",                      # the button's label, typed
    "1",                          # 确认提交
]


async def test_a_wage_case_from_the_worker_to_staff_and_back(services):
    # The worker files a wage complaint in the terminal.
    worker_out = await chat(services, WAGE_CASE)
    assert "[1] 问工资" in worker_out and "[4] 申请调解" in worker_out
    assert "你> 快递站老板欠我4300元工资两个月了" in worker_out        # piped input is echoed
    assert "收到第 1 份材料" in worker_out
    assert "金额：4300 元" in worker_out and "材料：1 份" in worker_out
    assert "登记好了，编号 GY-20261123-0001" in worker_out
    assert worker_out.count("GY-20261123-0001") == 1, "the ticket service's own 'created' note is not shown twice"

    # Staff see the alert, claim, reply and resolve.
    staff_out = await staff(services, [
        "queue", "show GY-20261123-0001", "claim gy-20261123-1", "reply 1 你好，我是调解员小李，明天上午给你打电话",
        "state 1 mediating", "state 1 resolved 4300", "stats", "quit",
    ])
    assert "新工单 GY-20261123-0001" in staff_out                     # the alert, printed at start
    assert "GY-20261123-0001  普通  新登记" in staff_out
    assert "电话：13812345678" in staff_out and "材料：1 份" in staff_out
    assert "已接单 GY-20261123-0001" in staff_out
    assert "GY-20261123-0001 现在是：已办结" in staff_out
    assert "追回金额合计：4300 元" in staff_out

    # The worker comes back and sees the reply and the outcome, in order.
    back = await chat(services, ["5"])
    claimed = back.index("调解员已接手")
    reply = back.index("明天上午给你打电话")
    resolved = back.index("帮你追回 4300 元")
    assert claimed < reply < resolved
    assert "已解决，追回 4300 元" in back                              # 我的诉求 (button 5)
    # Delivered once: a third visit prints none of it again.
    third = await chat(services, ["/quit"])
    assert "明天上午给你打电话" not in third


async def test_numbers_labels_and_text_all_work(services):
    out = await chat(services, ["2", "/menu", "4", "同意", "/cancel", "0", "99", "/quit", "你好"])
    assert "工伤方面大家常问这些" in out                 # 2 → 问工伤 in the welcome menu
    assert "想问什么" in out                             # /menu
    assert "个人信息保护法" in out                        # 4 → 申请调解 in the menu just shown
    assert "哪方面" in out                               # 同意, typed as the button's label
    assert "已经取消" in out                             # /cancel
    assert "你> 0" in out and "你> 99" in out            # out of range: sent as text, answered somehow
    assert "你> 你好" not in out                         # /quit stopped before it


async def test_outbox_messages_for_other_workers_are_left_for_them(services):
    await chat(services, WAGE_CASE, user="alice")
    ticket = (await services.tickets.tickets_of("console", "alice"))[0]
    await services.tickets.claim(ticket.id, STAFF)
    bob = await chat(services, ["/quit"], user="bob")
    assert "调解员已接手" not in bob
    alice = await chat(services, ["/quit"], user="alice")
    assert "调解员已接手" in alice


async def test_staff_mistakes_get_plain_answers(services):
    await chat(services, WAGE_CASE)
    out = await staff(services, [
        "frob", "show", "show GY-20990101-0001", "state 1 closed", "state 1 resolved", "state 1 resolved lots",
        "state 1 flying", "reply 1", "reopen 1 again", "help",
    ])
    assert "没有「frob」这个命令" in out
    assert "用法：show 编号" in out
    assert "找不到工单「GY-20990101-0001」" in out
    assert "需要写明原因" in out                         # closing without a reason is refused by the service
    assert out.count("用法：state 编号") >= 3             # resolved without/with a bad amount, unknown state
    assert "用法：reply 编号" in out
    assert "没办成" in out                                # reopening an open ticket
    assert "state 编号 resolved 金额" in out              # help


async def test_urgent_alert_reaches_the_staff_console(services):
    await chat(services, ["有人拿刀威胁我们，不让我们走", "跳过"])
    out = await staff(services, ["queue"])
    assert "紧急工单" in out
    assert "  紧急  " in out


def test_terminal_output_is_stripped_of_escape_sequences():
    assert safe("ok\x1b[2J\x07\u202eevil\r\nnext") == "ok[2Jevil\nnext"
    assert parse_number(" ３ ") == 3 and parse_number("3.") == 3 and parse_number("三") is None


def test_a_button_row_is_numbered_across_replies(services):
    out = io.StringIO()
    console = WorkerConsole(services, ConsoleIO(io.StringIO(""), out))
    console.show("第一条", [[Button("甲", "m:a"), Button("乙", "m:b")]])
    console.show("第二条", [[Button("丙", "m:c")]])
    assert "[1] 甲  [2] 乙" in out.getvalue() and "[3] 丙" in out.getvalue()
    assert console.incoming_for("3").button == "m:c"
    assert console.incoming_for("丙").button == "m:c"
    assert console.incoming_for("4").text == "4"
    assert console.incoming_for("/quit") is None
    assert console.incoming_for("/photo /tmp/a b.jpg").attachment.name == "a b.jpg"
    assert console.incoming_for("/mytickets").command == "mytickets"


def _run(args: list[str], stdin: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)


def test_gongyou_chat_and_staff_share_the_default_database(tmp_path):
    first = _run(["chat"], "你好\n/quit\n", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "你好，我是工友" in first.stdout and "[1] 问工资" in first.stdout
    assert "再见" in first.stdout
    assert first.stderr.strip() == "", "no loading chatter on a chat screen"
    assert (tmp_path / "data" / "gongyou" / "gongyou.sqlite3").is_file()
    second = _run(["staff", "--name", "小李"], "queue\nquit\n", tmp_path)
    assert second.returncode == 0, second.stderr
    assert "没有待办工单" in second.stdout


def test_gongyou_chat_with_an_unusable_database_says_so(tmp_path):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    result = _run(["chat", "--db", str(bad)], "/quit\n", tmp_path)
    assert result.returncode == 1
    assert "gongyou:" in result.stderr and "Traceback" not in result.stderr
