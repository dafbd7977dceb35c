"""Many workers, random everything: the real Dialogue and TicketService never break their promises.

Hypothesis generates a list of steps. Each step is one worker doing one thing — typing (sensible
phrases, garbage with control characters, emoji only, HTML/Markdown, 100 000-character texts),
pressing a button (one just shown, a stale one, another worker's, a forged payload), a command
(known and unknown) or sending a file — or staff acting on a random ticket, the channel delivering
part of the outbox (some deliveries failing), the clock moving, or the process restarting on the
same database file. After every step:

- no exception escaped `Dialogue.handle`, and none was caught inside it (no error logged);
- every reply is non-empty text; every button has a label and an ASCII payload of at most 48 bytes;
- every ticket is in a legal state and its event log explains it: the first event is `created`,
  each later change starts from the state the one before left, is a move the state machine
  allows, and the last one ends in the ticket's current state;
- a step creates at most one ticket; confirming the intake's review creates exactly one; a worker
  is told the code of every ticket their turn created, and is never shown another worker's code
  (their buttons pressed, forged `tk:` ids); each ticket has its staff alert in the outbox;
- nothing leaves the outbox: rows never disappear, a row is sent only when the channel marks it
  sent, and at the end every row is handed out and delivered.

Deterministic (derandomized, no example database) and bounded so the suite stays fast; about
1 500 turns, 30+ confirmed forms and 300 outbox rows over the 20 generated walks, plus 3 explicit ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.dialogue import words
from bot.dialogue.state import ConversationState
from bot.dialogue.store import ConversationStore
from bot.dialogue.types import Attachment, Button, Incoming, Reply, UserRef
from bot.services import Services
from bot.tickets import states
from bot.tickets.api import AccessError, Actor, State, TransitionError
from bot.understand import Understanding

USERS = 6
MIN_STEPS, MAX_STEPS = 25, 60
EXAMPLES = 20
# Shrinking a failing walk can take minutes (each step is a real turn): on request only, e.g.
# GONGYOU_SHRINK=1 pytest tests/test_property_dialogue.py. Without it the failing walk is printed whole.
PHASES = tuple(Phase) if os.environ.get("GONGYOU_SHRINK") else (Phase.explicit, Phase.reuse, Phase.generate)
MAX_PAYLOAD_BYTES = 48

# ---- what workers type ---------------------------------------------------------------------------
SENSIBLE = [
    "老板欠我两个月工资一直不给，我要投诉", "送外卖的时候摔伤了腿，站点说不管", "平台无故扣了我八百块押金不退",
    "我要申请调解", "我要找人工", "我的诉求处理得怎么样了", "工伤怎么认定", "社保没交怎么办", "你好", "谢谢你",
    "同意", "对", "是的", "不对", "改一下", "跳过", "取消", "好了", "确认", "发完了", "不想说",
    "13812345678", "138 1234 5678", "0755-12345678", "123", "4300", "四千三", "1.5万", "三十个人",
    "厦门市湖里区", "北京", "某某劳务公司", "美团", "上个月干了二十六天，工资一分没发，站长说再等等",
    "我们二十多个骑手被欠薪，明天要去堵门", "我不想活了", "站长打人了，现在很危险",
]
HUGE = ["老板欠我工资" * 16_667, "a" * 100_000, "13812345678 " * 8_000, "<b>" * 33_000]
MARKUP = ["<b>老板</b>欠薪<i>三千</i>", "*粗体* _斜体_ `代码` [链接](http://example.com)", "<script>alert(1)</script>",
          "&lt;&amp;&gt;", "</a><a href='x'>", "```\n多行\n代码\n```", "# 标题\n- 列表", "\\*转义\\*"]
EMOJI = st.text(alphabet=st.sampled_from("😀😭🙏👍💰🛵🚚🔥❤️🇨🇳‍"), min_size=1, max_size=20)
GARBAGE = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFFF, exclude_categories=("Cs",)),
                  max_size=60)
CONTROL = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x9F,
                                         include_characters="\u200b\u200e\u202e\u2028\ufeff"), max_size=20)
TEXTS = st.one_of(
    st.sampled_from(SENSIBLE), st.sampled_from(SENSIBLE), st.sampled_from(SENSIBLE),
    GARBAGE, CONTROL, EMOJI, st.sampled_from(MARKUP), st.sampled_from(HUGE), st.sampled_from(["", " ", "\n\t "]),
)

# ---- buttons, commands, files ------------------------------------------------------------------------
FORGED = [
    "in:submit", "in:consent:yes", "in:yes:amount", "in:no:topic", "in:topic:hack", "in:topic:wage", "in:edit:phone",
    "in:edit:nothing", "in:skip:summary", "in:skip:phone", "in:same:summary", "in:same:employer", "in:done:evidence",
    "in:cancel", "tk:1", "tk:2", "tk:999999", "tk:-1", "tk:abc", "tk:", "m:", "m:unknown", "m:complain", "m:newcase",
    "m:human", "faq:nonexistent", "fb:up:zzz", "fb:down:", "rel:", "sg:none", "hu:yes", "ur:skip", ":", "x" * 200,
    "中文按钮", "\x00", "in:submit:extra:parts", "pd:keep", "pd:forget:0", "pd:forget:99999999999", "pd:forget:x",
]
COMMANDS = ["start", "menu", "help", "mytickets", "cancel", "mydata", "forget", "START", "settings", "x" * 70, "菜单"]
FILE_KINDS = ["photo", "document", "sticker", "voice", "video", "location", "other"]
FILE_NAMES = st.one_of(st.sampled_from(["工资条.jpg", "聊天记录.pdf", "", "<b>x</b>.png", "a" * 500]), GARBAGE)
STAFF_OPS = ["claim", "claim2", "reply", "note", "reopen", *(f"state:{s.value}" for s in State)]

WORKER = st.integers(0, USERS - 1)
# One strategy per kind of step, and how often each kind comes up (weights out of their sum).
KINDS: dict[str, tuple[int, st.SearchStrategy[Any]]] = {
    # cooperative answers go to the first three workers, so their intakes get somewhere between the chaos
    # (a burst of up to 12 answers in a row: a whole form between two bits of chaos)
    "answer": (20, st.tuples(st.just("answer"), st.integers(0, 2), st.tuples(st.integers(0, 1), st.integers(1, 12)))),
    "text": (14, st.tuples(st.just("text"), WORKER, TEXTS)),
    "press": (12, st.tuples(st.just("press"), WORKER, st.integers(0, 40))),
    "stale": (4, st.tuples(st.just("stale"), WORKER, st.integers(0, 400))),
    "foreign": (4, st.tuples(st.just("foreign"), WORKER, st.integers(0, 400))),
    "forged": (6, st.tuples(st.just("forged"), WORKER, st.one_of(st.sampled_from(FORGED), st.text(max_size=64)))),
    "command": (6, st.tuples(st.just("command"), WORKER, st.sampled_from(COMMANDS))),
    "file": (6, st.tuples(st.just("file"), WORKER, st.tuples(st.sampled_from(FILE_KINDS), st.text(max_size=80),
                                                             FILE_NAMES, st.integers(0, 2**31)))),
    "staff": (8, st.tuples(st.just("staff"), st.integers(0, 50), st.sampled_from(STAFF_OPS))),
    "deliver": (5, st.tuples(st.just("deliver"), st.integers(1, 30), st.booleans())),
    "advance": (3, st.tuples(st.just("advance"), st.just(0), st.sampled_from([1, 30, 60 * 24, 60 * 24 * 8]))),
    "restart": (1, st.tuples(st.just("restart"), st.just(0), st.just(0))),
}
STEP = st.sampled_from([kind for kind, (weight, _) in KINDS.items() for _ in range(weight)]).flatmap(
    lambda kind: KINDS[kind][1])

STAFF = [Actor("staff", "telegram:9001", "甲调解员"), Actor("staff", "telegram:9002", "乙调解员")]
STATE_ARGS: dict[str, dict[str, Any]] = {
    "closed": {"reason": "联系不上"}, "transferred": {"reason": "需要仲裁", "transfer_to": "劳动仲裁委"},
    "resolved": {"amount_recovered": 1200.0},
}
# A sensible answer to each question of the intake (the "answer" step), so walks do file tickets.
ANSWERS = {"consent": "in:consent:yes", "topic": "in:topic:wage", "summary": "上个月工资一直没发，站长不接电话",
           "employer": "某某劳务公司", "place": "厦门市湖里区", "amount": "4300", "phone": "13812345678",
           "headcount": "3", "platform": "in:skip:platform", "evidence": "in:skip:evidence", "review": "in:submit"}
INTAKE_STEPS = {"consent", "topic", "summary", "employer", "place", "amount", "phone", "evidence", "review",
                "headcount", "platform"}


class EngineErrors(logging.Handler):
    """Collects errors logged under `bot` (the dialogue logs and swallows a failed turn)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def explain(self) -> str:
        formatter = logging.Formatter("%(name)s: %(message)s")
        return "\n".join(formatter.format(r) for r in self.records)


@dataclass
class World:
    folder: Path
    understanding: Understanding
    clock: FakeClock = field(default_factory=FakeClock)
    services: Services | None = None
    users: list[UserRef] = field(default_factory=lambda: [UserRef("telegram", str(7000 + i)) for i in range(USERS)])
    last: dict[int, list[Reply]] = field(default_factory=dict)
    seen: dict[int, list[str]] = field(default_factory=dict)      # every payload each worker was ever shown
    outbox_seen: set[int] = field(default_factory=set)
    marked_sent: set[int] = field(default_factory=set)
    owner: dict[str, str] = field(default_factory=dict)            # ticket code -> the worker who filed it
    tickets_seen: int = 0
    turns: int = 0
    created_by_confirm: int = 0

    async def open(self) -> None:
        self.services = await Services.open(self.folder / "prop.db", clock=self.clock, understanding=self.understanding)

    async def close(self) -> None:
        if self.services is not None:
            await self.services.close()
            self.services = None

    @property
    def svc(self) -> Services:
        assert self.services is not None
        return self.services

    # ---- one step ---------------------------------------------------------------------------------
    async def step(self, kind: str, who: int, arg: Any) -> None:
        if kind == "staff":
            await self.staff(who, arg)
        elif kind == "deliver":
            await self.deliver(who, fail=arg)
        elif kind == "advance":
            self.clock.advance(minutes=arg)
        elif kind == "restart":
            await self.close()
            await self.open()
        elif kind == "answer":
            variant, burst = arg
            for _ in range(burst):
                await self.worker(kind, who, variant)
        else:
            await self.worker(kind, who, arg)

    def incoming(self, kind: str, who: int, arg: Any) -> Incoming:
        user = self.users[who]
        name = f"工友{who}"
        if kind == "text":
            return Incoming(user, text=arg, display_name=name)
        if kind == "press":
            shown = [b.data for r in self.last.get(who, []) for row in r.buttons for b in row]
            return Incoming(user, button=shown[arg % len(shown)] if shown else "m:menu", display_name=name)
        if kind == "stale":
            history = self.seen.get(who, [])
            return Incoming(user, button=history[arg % len(history)] if history else "in:submit", display_name=name)
        if kind == "foreign":
            other = (who + 1 + arg % (USERS - 1)) % USERS
            history = self.seen.get(other, [])
            return Incoming(user, button=history[arg % len(history)] if history else "tk:1", display_name=name)
        if kind == "forged":
            return Incoming(user, button=arg, display_name=name)
        if kind == "command":
            return Incoming(user, command=arg, display_name=name)
        file_kind, file_id, file_name, size = arg
        return Incoming(user, attachment=Attachment(file_kind, file_id, file_name, size), text="", display_name=name)

    async def confirms_review(self, incoming: Incoming) -> bool:
        """Is this the worker confirming the intake's review (which must file exactly one ticket)?"""
        state, saved_at = await ConversationStore(self.svc.db).load(incoming.user.key)
        if state.flow != "intake" or state.step != "review" or saved_at is None:
            return False
        if self.clock.now() - saved_at > self.svc.dialogue.draft_ttl:
            return False       # the draft expired: the worker is told so, nothing is filed
        if incoming.command:
            return False
        if incoming.button is not None and incoming.button != "":
            return incoming.button == "in:submit"
        text = (incoming.text or "").strip()
        return incoming.attachment is None and bool(text) and words.is_yes(text) and not words.is_cancel(text)

    async def guided(self, who: int, variant: int) -> Incoming:
        """What a cooperative worker does next: start a complaint, or answer the open question."""
        user, name = self.users[who], f"工友{who}"
        state, _ = await ConversationStore(self.svc.db).load(user.key)
        if state.flow != "intake":
            # 登记一件新的事 opens a form even beside a ticket that is still open
            return Incoming(user, button="m:newcase", display_name=name) if variant else \
                Incoming(user, text="老板欠我三个月工资4300元不给，我要投诉", display_name=name)
        step = state.step or "consent"
        if step.startswith("confirm:"):
            return Incoming(user, button=f"in:yes:{step.split(':', 1)[1]}", display_name=name)
        if step == "evidence" and variant:
            return Incoming(user, attachment=Attachment("photo", f"file-{who}", "工资条.jpg", 1000), display_name=name)
        answer = ANSWERS.get(step, "跳过")
        if answer.startswith("in:"):
            return Incoming(user, button=answer, display_name=name)
        return Incoming(user, text=answer, display_name=name)

    async def worker(self, kind: str, who: int, arg: Any) -> None:
        incoming = await self.guided(who, arg) if kind == "answer" else self.incoming(kind, who, arg)
        confirming = await self.confirms_review(incoming)
        before = await self.ticket_ids()
        replies = await self.svc.dialogue.handle(incoming)      # an exception here fails the test as it is
        self.turns += 1
        check_replies(replies, incoming)
        self.last[who] = replies
        self.seen.setdefault(who, []).extend(b.data for r in replies for row in r.buttons for b in row)
        new = sorted(await self.ticket_ids() - before)
        assert len(new) <= 1, f"one turn created {len(new)} tickets: {incoming!r}"
        if confirming:
            assert len(new) == 1, f"confirming the review created {len(new)} tickets"
            self.created_by_confirm += 1
        elif incoming.button == "in:submit":
            assert not new, "a stale or forged 确认提交 filed a ticket"
        for ticket_id in new:
            ticket = await self.svc.tickets.get(ticket_id)
            self.owner[ticket.code] = incoming.user.key
        said = "\n".join(r.text for r in replies) + "".join(b.label for r in replies for row in r.buttons for b in row)
        for code in re.findall(r"GY-\d{8}-\d{4,}", said):
            assert self.owner.get(code) == incoming.user.key, (
                f"worker {incoming.user.key} was shown {code}, which is {self.owner.get(code)}'s")
        for ticket_id in new:
            ticket = await self.svc.tickets.get(ticket_id)
            assert (ticket.channel, ticket.user_id) == (incoming.user.channel, incoming.user.user_id)
            said = "\n".join(r.text for r in replies)
            assert ticket.code in said, f"the worker was not told {ticket.code}: {said[:500]}"

    async def staff(self, pick: int, op: str) -> None:
        ids = sorted(await self.ticket_ids())
        if not ids:
            return
        ticket_id = ids[pick % len(ids)]
        tickets, actor = self.svc.tickets, STAFF[0]
        try:
            if op == "claim":
                await tickets.claim(ticket_id, actor)
            elif op == "claim2":
                await tickets.claim(ticket_id, STAFF[1])
            elif op == "reply":
                await tickets.reply(ticket_id, actor, "您好，我们已经收到，会尽快联系您。")
            elif op == "note":
                await tickets.note(ticket_id, actor, "已电话联系")
            elif op == "reopen":
                await tickets.reopen(ticket_id, actor, "工人要求继续处理")
            else:
                target = op.split(":", 1)[1]
                await tickets.change_state(ticket_id, actor, State(target), **STATE_ARGS.get(target, {}))
        except (TransitionError, AccessError):
            pass                 # refused moves are part of the walk; the log check below proves nothing changed

    async def deliver(self, count: int, *, fail: bool) -> None:
        tickets = self.svc.tickets
        for index, message in enumerate(await tickets.outbox_pending(limit=count)):
            assert message.id not in self.marked_sent, f"outbox row {message.id} handed out again after it was sent"
            if fail and index % 2:
                await tickets.outbox_mark_failed(message.id, "network down", retry_at=self.clock.now() + timedelta(minutes=1))
            else:
                await tickets.outbox_mark_sent(message.id, meta={"test": True})
                self.marked_sent.add(message.id)

    # ---- invariants --------------------------------------------------------------------------------
    async def ticket_ids(self) -> set[int]:
        rows = await self.svc.db.conn.execute_fetchall("SELECT id FROM tickets")
        return {int(r[0]) for r in rows}

    async def check(self) -> None:
        db = self.svc.db
        async with db.transaction(write=False) as conn:
            tickets = await conn.execute_fetchall("SELECT id, code, state FROM tickets ORDER BY id")
            events = await conn.execute_fetchall("SELECT ticket_id, id, type, data FROM events ORDER BY ticket_id, id")
            outbox = await conn.execute_fetchall(
                "SELECT id, channel, ticket_id, sent_at, dropped_at, last_error FROM outbox ORDER BY id")
            alerts = {int(r[0]) for r in await conn.execute_fetchall(
                "SELECT DISTINCT ticket_id FROM outbox WHERE channel = 'staff' AND ticket_id IS NOT NULL")}
            conversations = await conn.execute_fetchall("SELECT user_key, state FROM conversations")
        assert len(tickets) >= self.tickets_seen, "a ticket disappeared"
        self.tickets_seen = len(tickets)
        by_ticket: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for ticket_id, _, type_, data in events:
            by_ticket.setdefault(int(ticket_id), []).append((type_, json.loads(data)))
        for ticket_id, code, state in tickets:
            assert state in {s.value for s in State}, f"{code}: illegal state {state!r}"
            log = by_ticket.get(int(ticket_id), [])
            assert replay(code, log) == state, f"{code}: the event log does not explain state {state}: {log}"
            assert int(ticket_id) in alerts, f"{code}: no staff alert in the outbox"
        ids = {int(r[0]) for r in outbox}
        lost = self.outbox_seen - ids
        assert not lost, f"outbox rows disappeared: {sorted(lost)}"
        self.outbox_seen |= ids
        ticket_ids = {int(t[0]) for t in tickets}
        for row_id, _, ticket_id, sent_at, dropped_at, last_error in outbox:
            assert ticket_id is None or int(ticket_id) in ticket_ids, f"outbox row {row_id} without its ticket"
            assert (sent_at is not None) == (int(row_id) in self.marked_sent), (
                f"outbox row {row_id}: sent_at={sent_at} but the channel {'did' if row_id in self.marked_sent else 'did not'}"
                " mark it sent")
            # only erasing a worker's personal data (/forget) drops an undelivered message
            assert dropped_at is None or last_error == "personal data erased", (
                f"outbox row {row_id} dropped ({last_error}) without the channel or an erasure dropping it")
        for key, raw in conversations:
            conv = ConversationState.from_json(raw)
            assert conv.flow in (None, "intake", "callback", "urgent_phone"), f"{key}: flow {conv.flow!r}"
            if conv.flow == "intake":
                assert conv.step in INTAKE_STEPS or (conv.step or "").startswith("confirm:"), f"{key}: step {conv.step!r}"

    async def drain_all(self) -> None:
        """The channel comes back and delivers everything: every row is handed out and sent."""
        for _ in range(500):
            self.clock.advance(minutes=5)      # past every retry time
            pending = await self.svc.tickets.outbox_pending(limit=100)
            if not pending:
                break
            for message in pending:
                await self.svc.tickets.outbox_mark_sent(message.id, meta={"test": "final"})
                self.marked_sent.add(message.id)
        rows = await self.svc.db.conn.execute_fetchall(
            "SELECT id FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL")
        assert not rows, f"outbox rows never handed out: {[r[0] for r in rows]}"


def check_replies(replies: list[Reply], incoming: Incoming) -> None:
    assert isinstance(replies, list) and replies, f"no reply to {incoming!r}"
    for reply in replies:
        assert isinstance(reply, Reply) and isinstance(reply.text, str) and reply.text.strip(), f"empty reply: {reply!r}"
        for row in reply.buttons:
            assert isinstance(row, list) and row, f"an empty button row in {reply!r}"
            for button in row:
                assert isinstance(button, Button) and button.label.strip(), f"a button without a label: {button!r}"
                assert len(button.label) <= 64, f"a button label too long for a phone: {button.label!r}"
                assert button.data and button.data.isascii(), f"bad payload {button.data!r}"
                assert len(button.data.encode("ascii")) <= MAX_PAYLOAD_BYTES, f"payload too long: {button.data!r}"


def replay(code: str, log: list[tuple[str, dict[str, Any]]]) -> str:
    """The state the event log leads to; fails on a move the state machine does not allow."""
    assert log and log[0][0] == "created", f"{code}: the first event is not `created`: {log[:1]}"
    assert sum(1 for type_, _ in log if type_ == "created") == 1, f"{code}: created twice"
    current = State.NEW
    for type_, data in log[1:]:
        if "to" not in data:
            continue               # notes, replies, worker messages, evidence: no state change
        source, target = State(data["from"]), State(data["to"])
        assert source is current, f"{code}: {type_} starts from {source} but the ticket was {current}"
        if type_ == "assigned":
            assert source not in states.FINAL_STATES and target is (State.ASSIGNED if source is State.NEW else source)
        elif type_ == "reopened":
            assert source in states.FINAL_STATES and target in (State.NEW, State.ASSIGNED)
        elif type_ == "state":
            worker_back = source is State.WAITING and target is State.MEDIATING
            assert target in states.ALLOWED[source] or worker_back, f"{code}: illegal {source} → {target}"
        else:
            raise AssertionError(f"{code}: unexpected state-changing event {type_}: {data}")
        current = target
    return current.value


async def run(understanding: Understanding, steps: list[tuple[str, int, Any]]) -> World:
    errors = EngineErrors()
    logging.getLogger("bot").addHandler(errors)
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp), understanding)
        await world.open()
        try:
            for number, (kind, who, arg) in enumerate(steps, 1):
                await world.step(kind, who, arg)
                assert not errors.records, f"step {number} ({kind}) logged an error:\n{errors.explain()}"
                await world.check()
            await world.drain_all()
            await world.check()
        finally:
            await world.close()
            logging.getLogger("bot").removeHandler(errors)
    return world


def full_intake(who: int, *, evidence: bool = False) -> list[tuple[str, int, Any]]:
    return [("answer", who, (1 if evidence else 0, 14))]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=MIN_STEPS, max_size=MAX_STEPS))
# Walks that surely file tickets, then replay stale and forged presses, staff moves and a restart.
@example(steps=[*full_intake(0), ("stale", 0, 0), ("forged", 0, "in:submit"), ("press", 0, 0),
                ("staff", 0, "claim"), ("staff", 0, "state:waiting"), ("text", 0, "我补充一下，还有加班费没给"),
                ("deliver", 5, True), ("restart", 0, 0), ("staff", 0, "state:resolved"), ("foreign", 1, 0),
                ("command", 0, "mytickets"), ("press", 0, 0)])
@example(steps=[*full_intake(1, evidence=True), *full_intake(2), ("text", 3, "我不想活了"), ("answer", 2, (0, 3)),
                ("advance", 0, 60 * 24 * 8), ("answer", 2, (1, 2)), ("staff", 1, "state:closed"), ("staff", 1, "reopen"),
                ("deliver", 30, False)])
# A worker files, then erases their data (/forget, confirmed within its 10 minutes), then files again.
@example(steps=[*full_intake(0), ("deliver", 1, False), ("command", 0, "mydata"), ("command", 0, "forget"),
                ("forged", 0, f"pd:forget:{int(FakeClock().now().timestamp())}"), ("staff", 0, "reply"),
                ("command", 0, "mytickets"), *full_intake(0), ("foreign", 1, 0), ("command", 0, "mydata")])
def test_many_workers_random_everything_keeps_every_promise(understanding, steps):
    asyncio.run(run(understanding, steps))
