"""data/texts/privacy.yaml: every key the code names exists, every text in the file is used, and
each renders with the values the code gives it."""

from __future__ import annotations

import re

import yaml

from bot.paths import REPO_ROOT
from bot.texts import Texts

FILE = REPO_ROOT / "data" / "texts" / "privacy.yaml"
KEY = re.compile(r"""["']((?:privacy|console\.staff|tg)\.[a-z_.]+)["']""")
# Keys built at run time: field labels, event lines, consent names, erasure lines.
DYNAMIC = ("privacy.field.", "privacy.event.", "privacy.consent.", "privacy.forget.done_")
CODE = [*(REPO_ROOT / "bot" / "privacy").glob("*.py"), *(REPO_ROOT / "bot" / "channels").rglob("*.py")]


def used() -> set[str]:
    keys: set[str] = set()
    for path in CODE:
        keys |= set(KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def own() -> set[str]:
    return set(yaml.safe_load(FILE.read_text(encoding="utf-8"))["texts"])


def test_every_privacy_key_the_code_names_exists(data_path):
    texts = Texts.load(data_path / "texts")
    missing = sorted(k for k in used() if k.startswith("privacy.") and k not in texts)
    assert not missing


def test_every_text_in_the_file_is_used():
    names = used()
    unused = sorted(k for k in own() if k not in names and not k.startswith(DYNAMIC))
    assert not unused


def test_the_dynamic_keys_cover_what_the_code_builds(data_path):
    from bot.privacy.report import Report

    texts = Texts.load(data_path / "texts")
    for name in ("name", "phone", "employer", "platform", "place", "amount", "headcount", "injury", "summary",
                 "source_text", "topic", "recovered", "transfer_to"):
        assert Report(texts, retention_days=1).field(name, "x") is not None
    for key in ("messages", "files", "replies", "other", "tickets", "outbox", "conversation", "kept", "head",
                "nothing"):
        assert f"privacy.forget.done_{key}" in texts
    for consent in ("intake.consent", "human.consent"):
        assert consent in texts and f"privacy.consent.{consent}" in texts
