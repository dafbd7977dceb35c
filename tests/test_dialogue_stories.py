"""Replays conversation stories (tests/stories/*.yaml) through the real Dialogue on a temp database.

A story is a list of turns. Each turn does one thing and may check what came back:

    - user: 老板欠我工资          # typed text           - press: 同意      # a button by its label
    - data: "in:submit"          # a raw button payload - command: start  # /start, /menu, …
    - file: {kind: photo, name: a.jpg}                   - restart: true   # close and reopen on the same file
    - advance: {days: 8}         # move the clock       - staff: {action: reply, text: …}  # staff on the last ticket

    checks:  expect: [fragments all present in the replies]   absent: [fragments in none of them]
             buttons: [labels present]   no_buttons: [labels absent]   state: {flow: intake, step: phone}
             tickets: 1 (how many the worker has)   ticket: {kind: mediation, topic: wage, amount: 4300, …}
             staff_outbox: [fragments in staff messages written during this turn]
             worker_outbox: [fragments in messages to this worker written during this turn]

Every button the dialogue produces is checked for the payload limit (ASCII, ≤ 48 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import FakeClock
from bot.dialogue.store import ConversationStore
from bot.dialogue.types import Attachment, Button, Incoming, Reply, UserRef
from bot.services import Services
from bot.tickets.api import Actor, State
from bot.understand import Understanding

STORIES_DIR = Path(__file__).parent / "stories"
ACTIONS = ("user", "press", "data", "command", "file", "restart", "advance", "staff")
CHECKS = ("expect", "absent", "buttons", "no_buttons", "state", "tickets", "ticket", "staff_outbox", "worker_outbox")
STAFF = Actor("staff", "console:story", "调解员")


@dataclass(frozen=True)
class Story:
    name: str
    file: str
    turns: list[dict[str, Any]]
    user: str = "story-worker"
    tags: tuple[str, ...] = ()


def load_stories(folder: Path = STORIES_DIR) -> list[Story]:
    stories: list[Story] = []
    names: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(doc, dict) and doc.get("version") == 1, f"{path.name}: needs `version: 1`"
        for index, raw in enumerate(doc.get("stories") or []):
            where = f"{path.name}: story #{index + 1}"
            assert isinstance(raw, dict) and raw.get("name"), f"{where}: needs a name"
            assert raw["name"] not in names, f"{where}: duplicate name {raw['name']!r}"
            names.add(raw["name"])
            turns = raw.get("turns") or []
            assert turns, f"{where}: no turns"
            for number, turn in enumerate(turns, 1):
                actions = [k for k in turn if k in ACTIONS]
                unknown = [k for k in turn if k not in ACTIONS and k not in CHECKS]
                assert len(actions) == 1, f"{where} turn {number}: exactly one of {ACTIONS}, got {actions}"
                assert not unknown, f"{where} turn {number}: unknown keys {unknown}"
            stories.append(Story(raw["name"], path.name, turns, str(raw.get("user", "story-worker")),
                                 tuple(raw.get("tags", ()))))
    return stories


@dataclass
class Replay:
    """The state of one replay: the services (reopened on restart) and what the last turn returned."""

    db_path: Path
    understanding: Any
    clock: FakeClock = field(default_factory=FakeClock)
    services: Services | None = None
    last: list[Reply] = field(default_factory=list)
    user: UserRef = field(default_factory=lambda: UserRef("console", "story-worker"))

    async def open(self) -> None:
        self.services = await Services.open(self.db_path, clock=self.clock, understanding=self.understanding)

    async def close(self) -> None:
        if self.services is not None:
            await self.services.close()
            self.services = None

    def button(self, label: str) -> Button:
        found = [b for r in self.last for row in r.buttons for b in row if b.label == label]
        shown = [b.label for r in self.last for row in r.buttons for b in row]
        assert found, f"no button {label!r} in the last replies; buttons were {shown}"
        return found[-1]

    async def outbox_ids(self) -> int:
        assert self.services is not None
        async with self.services.db.transaction(write=False) as conn:
            row = await (await conn.execute("SELECT coalesce(max(id), 0) FROM outbox")).fetchone()
        return int(row[0])

    async def outbox_since(self, after: int, channel: str, recipient: str | None = None) -> list[str]:
        assert self.services is not None
        sql = "SELECT text FROM outbox WHERE id > ? AND channel = ?"
        params: tuple[Any, ...] = (after, channel)
        if recipient is not None:
            sql += " AND recipient = ?"
            params += (recipient,)
        async with self.services.db.transaction(write=False) as conn:
            rows = await conn.execute_fetchall(sql + " ORDER BY id", params)
        return [r[0] for r in rows]

    async def step(self, turn: dict[str, Any], where: str) -> None:
        assert self.services is not None
        user = self.user
        if "restart" in turn:
            await self.close()
            await self.open()
            self.last = []
            return
        if "advance" in turn:
            self.clock.advance(timedelta(**turn["advance"]))
            return
        if "staff" in turn:
            await self.staff(turn["staff"])
            return
        if "user" in turn:
            incoming = Incoming(user, text=str(turn["user"]), display_name="工友测试")
        elif "press" in turn:
            incoming = Incoming(user, button=self.button(str(turn["press"])).data, display_name="工友测试")
        elif "data" in turn:
            incoming = Incoming(user, button=str(turn["data"]), display_name="工友测试")
        elif "command" in turn:
            incoming = Incoming(user, command=str(turn["command"]), display_name="工友测试")
        else:
            spec = turn["file"]
            incoming = Incoming(user, attachment=Attachment(spec.get("kind", "photo"), spec.get("file_id", "file-1"),
                                                            spec.get("name", "")), display_name="工友测试")
        self.last = await self.services.dialogue.handle(incoming)
        for reply in self.last:
            assert reply.text.strip(), f"{where}: an empty reply"
            for row in reply.buttons:
                for b in row:
                    assert b.label.strip(), f"{where}: a button without a label"
                    assert len(b.data.encode("ascii")) <= 48, f"{where}: payload too long: {b.data!r}"

    async def staff(self, spec: dict[str, Any]) -> None:
        assert self.services is not None
        tickets = self.services.tickets
        mine = await tickets.tickets_of(self.user.channel, self.user.user_id)
        assert mine, "staff step: the worker has no ticket"
        ticket = mine[0]
        action = spec["action"]
        if action == "claim":
            await tickets.claim(ticket.id, STAFF)
        elif action == "reply":
            await tickets.reply(ticket.id, STAFF, spec["text"])
        elif action == "state":
            await tickets.change_state(ticket.id, STAFF, State(spec["to"]), reason=spec.get("reason", ""),
                                       amount_recovered=spec.get("amount"), transfer_to=spec.get("transfer_to", ""))
        else:
            raise AssertionError(f"unknown staff action {action!r}")

    async def check(self, turn: dict[str, Any], where: str, outbox_before: int) -> None:
        assert self.services is not None
        text = "\n---\n".join(r.text for r in self.last)
        labels = [b.label for r in self.last for row in r.buttons for b in row]
        for fragment in turn.get("expect", []):
            assert str(fragment) in text, f"{where}: expected {fragment!r} in the replies:\n{text}"
        for fragment in turn.get("absent", []):
            assert str(fragment) not in text, f"{where}: did not expect {fragment!r} in the replies:\n{text}"
        for label in turn.get("buttons", []):
            assert label in labels, f"{where}: expected a button {label!r}; buttons: {labels}\n{text}"
        for label in turn.get("no_buttons", []):
            assert label not in labels, f"{where}: did not expect a button {label!r}; buttons: {labels}"
        if "state" in turn:
            state, _ = await ConversationStore(self.services.db).load(self.user.key)
            for key, value in turn["state"].items():
                assert getattr(state, key) == value, f"{where}: state.{key} is {getattr(state, key)!r}, not {value!r}"
        mine = await self.services.tickets.tickets_of(self.user.channel, self.user.user_id)
        if "tickets" in turn:
            assert len(mine) == turn["tickets"], f"{where}: {len(mine)} tickets, expected {turn['tickets']}"
        if "ticket" in turn:
            assert mine, f"{where}: no ticket"
            ticket = mine[0]
            for key, value in turn["ticket"].items():
                actual = getattr(ticket, key) if hasattr(ticket, key) else getattr(ticket.intake, key)
                if key == "evidence":
                    actual = len(actual)
                assert actual == value, f"{where}: ticket {key} is {actual!r}, not {value!r}"
        for key, channel, recipient in (("staff_outbox", "staff", None),
                                        ("worker_outbox", self.user.channel, self.user.user_id)):
            if key in turn:
                sent = "\n---\n".join(await self.outbox_since(outbox_before, channel, recipient))
                for fragment in turn[key]:
                    assert str(fragment) in sent, f"{where}: expected {fragment!r} in the {channel} outbox:\n{sent}"


async def replay(story: Story, db_path: Path, understanding: Any) -> None:
    run = Replay(db_path, understanding, user=UserRef("console", story.user))
    await run.open()
    try:
        for number, turn in enumerate(story.turns, 1):
            what = next(k for k in turn if k in ACTIONS)
            where = f"{story.file} / {story.name} / turn {number} ({what}: {turn[what]!r})"
            before = await run.outbox_ids()
            await run.step(turn, where)
            await run.check(turn, where, before)
    finally:
        await run.close()


# ---- the tests -------------------------------------------------------------------------------------
STORIES = load_stories()


def test_there_are_enough_stories_and_every_act_is_covered():
    assert len(STORIES) >= 25
    tags = {t for s in STORIES for t in s.tags}
    for act in ("greet", "thanks", "ask", "complain", "status", "human", "urgent", "cancel", "other"):
        assert f"act:{act}" in tags, f"no story tagged act:{act}"
    for need in ("intake-edit", "intake-cancel", "invalid", "restart", "stale"):
        assert need in tags, f"no story tagged {need}"


@pytest.mark.parametrize("story", STORIES, ids=[s.name for s in STORIES])
async def test_story(story: Story, tmp_path: Path, understanding: Understanding):
    await replay(story, tmp_path / "gongyou.sqlite3", understanding)
