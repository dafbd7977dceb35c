"""Every reply text the dialogue and the console use exists, and every text in their files is used."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.dialogue import buttons as B
from bot.dialogue.intake import ASK_ORDER, CONFIRMABLE, EDITABLE, OPTIONAL
from bot.paths import REPO_ROOT
from bot.texts import Texts
from bot.tickets.api import Priority, State
from intents.types import TOPICS

CODE_DIRS = [REPO_ROOT / "bot" / "dialogue", REPO_ROOT / "bot" / "channels" / "console"]
OWN_FILES = ("dialogue.yaml", "console.yaml")
LITERAL = re.compile(r"""\b(?:t|button|render)\(\s*["']([a-z_]+(?:\.[a-z_]+)*)["']""")
KEYISH = re.compile(r"""["']((?:intake|console|urgent|status|human|open|ask|menu|btn|field|eta|topic)\.[a-z_.]+)["']""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in CODE_DIRS:
        for path in folder.glob("*.py"):
            source = path.read_text(encoding="utf-8")
            keys.update(LITERAL.findall(source))
            keys.update(k for k in KEYISH.findall(source) if not k.endswith("."))
    steps = {*ASK_ORDER, "headcount", "platform"}
    keys |= {f"intake.ask.{s}" for s in steps}
    keys |= {f"intake.hint.{s}" for s in steps | {"consent", "confirm", "review"}}
    keys |= {f"intake.confirm.{f}" for f in CONFIRMABLE}
    keys |= {f"field.{f}" for f in EDITABLE}
    keys |= {f"topic.{t}" for t in TOPICS}
    keys |= {f"status.state.{s}" for s in State}
    keys |= {f"eta.{p}" for p in Priority}
    keys |= {key for row in B.MENU_ROWS for key, _ in row}
    keys |= {f"console.state.{s}" for s in State}
    return keys


def own_keys(folder: Path) -> set[str]:
    keys: set[str] = set()
    for name in OWN_FILES:
        doc = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        keys |= set(doc["texts"])
    return keys


def test_every_key_the_code_uses_exists(data_path):
    texts = Texts.load(data_path / "texts")
    missing = sorted(k for k in used_keys() if k not in texts and not k.startswith("tickets."))
    assert not missing, f"text keys used in code but missing from data/texts: {missing}"


def test_every_dialogue_and_console_text_is_used(data_path):
    unused = sorted(own_keys(data_path / "texts") - used_keys() - {"console.event." + e for e in _event_types()})
    assert not unused, f"texts nobody uses (remove them or use them): {unused}"


def test_optional_steps_have_a_skip_and_required_ones_do_not():
    assert OPTIONAL <= {*ASK_ORDER, "headcount", "platform"}
    assert "summary" not in OPTIONAL and "place" not in OPTIONAL and "employer" not in OPTIONAL


def test_menu_payloads_fit_and_the_issue_menu_is_there(data_path):
    texts = Texts.load(data_path / "texts")
    labels = [texts.render(key) for row in B.MENU_ROWS for key, _ in row]
    assert labels == ["问工资", "问工伤", "问社保", "申请调解", "我的诉求", "找人工"]
    assert all(B.fits(data) for row in B.MENU_ROWS for _, data in row)


def _event_types() -> set[str]:
    return {"created", "state", "assigned", "note", "staff_reply", "worker_message", "evidence", "reminder", "reopened"}
