"""有用 / 没用 on an answer: counted once per worker and answer, anonymously, and shown to staff
by `gongyou kb feedback` with the most 没用 first."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.dialogue import buttons as B
from bot.dialogue.types import Incoming, UserRef

RIDER = UserRef("console", "rider-1")
COURIER = UserRef("telegram", "555")


async def press(services, data: str, user: UserRef):
    return await services.dialogue.handle(Incoming(user, button=data))


async def test_presses_are_counted_once_per_worker_and_answer_without_any_worker_id(services):
    entry = "wage.arrears_steps"
    await press(services, B.faq(entry), RIDER)
    await press(services, B.feedback(entry, False), RIDER)
    again = await press(services, B.feedback(entry, False), RIDER)       # a double tap
    assert again and again[0].text                                       # still answered kindly
    await press(services, B.faq(entry), COURIER)
    await press(services, B.feedback(entry, True), COURIER)
    await press(services, B.feedback("injury.recognition", False), COURIER)

    rows = await services.db.fetch_all("SELECT * FROM answer_feedback ORDER BY faq_id")
    assert [(r["faq_id"], r["day"], r["useful"], r["useless"]) for r in rows] == [
        ("injury.recognition", "2026-11-23", 0, 1), (entry, "2026-11-23", 1, 1)]
    assert set(rows[0].keys()) == {"faq_id", "day", "useful", "useless"}   # nothing that names a worker


async def test_kb_feedback_lists_the_least_useful_answers_first(services):
    from bot.commands.kb import feedback
    from bot.paths import data_dir

    for user in (UserRef("console", "a"), UserRef("console", "b")):
        await press(services, B.feedback("platform.penalty_appeal", False), user)
    await press(services, B.feedback("wage.minimum", True), UserRef("console", "a"))
    await press(services, B.feedback("wage.minimum", False), UserRef("console", "c"))
    # what staff run: its own connection to the same file while the bot is running
    out = (await feedback(Path(services.db.path), 3650, data_dir() / "faq")).splitlines()
    assert out[0].startswith("有用/没用 since")
    first, second = out[2].split(), out[3].split()
    assert first[:3] == ["2", "0", "platform.penalty_appeal"]
    assert second[:3] == ["1", "1", "wage.minimum"]
    assert "最低工资" in out[3]


def test_kb_feedback_on_an_empty_database_says_so(tmp_path, capsys):
    assert main(["kb", "feedback", "--db", str(tmp_path / "new.db")]) == 0
    assert "no 有用/没用 presses" in capsys.readouterr().out
