"""The lexicon files are validated at load: a bad file fails naming the file, the entry and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from intents.classifier import Classifier
from intents.lexicon import LexiconError


@pytest.fixture()
def data_copy(data_path: Path, tmp_path: Path) -> Path:
    shutil.copytree(data_path / "intents", tmp_path / "intents")
    return tmp_path


def edit(data: Path, name: str, change) -> None:
    path = data / "intents" / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def load_error(data: Path) -> str:
    with pytest.raises(LexiconError) as exc:
        Classifier.load(data)
    return str(exc.value)


def test_the_shipped_data_loads(data_path: Path) -> None:
    Classifier.load(data_path)


def test_bad_regex_names_file_entry_and_reason(data_copy: Path) -> None:
    edit(data_copy, "topics.yaml", lambda d: d["topics"]["wage"]["patterns"][6].append("欠(工资"))
    message = load_error(data_copy)
    assert "topics.yaml" in message
    assert "topics.wage.patterns.6" in message and "欠(工资" in message
    assert "not a valid regular expression" in message


def test_unknown_label(data_copy: Path) -> None:
    edit(data_copy, "acts.yaml", lambda d: d["acts"].__setitem__("complian", {"phrases": {3: ["投诉"]}}))
    message = load_error(data_copy)
    assert "acts.yaml: acts.complian: unknown label" in message


def test_one_cue_in_two_labels(data_copy: Path) -> None:
    edit(data_copy, "topics.yaml", lambda d: d["topics"]["hours"]["phrases"][6].append("欠薪"))
    message = load_error(data_copy)
    assert "topics.yaml: topics." in message and "'欠薪'" in message and "already listed under" in message
    assert "wage" in message and "hours" in message


def test_zero_weight_and_empty_cue(data_copy: Path) -> None:
    edit(data_copy, "topics.yaml", lambda d: d["topics"]["union"]["phrases"].__setitem__(0, ["入会费"]))
    message = load_error(data_copy)
    assert "topics.yaml: topics.union.phrases" in message and "weight 0" in message
    shutil.rmtree(data_copy / "intents")
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "intents", data_copy / "intents")
    edit(data_copy, "acts.yaml", lambda d: d["acts"]["thanks"]["phrases"][3].append(""))
    assert "acts.yaml: acts.thanks.phrases" in load_error(data_copy)


def test_a_label_without_cues(data_copy: Path) -> None:
    edit(data_copy, "acts.yaml", lambda d: d["acts"].pop("cancel"))
    assert "acts.yaml: acts.cancel: label has no cues" in load_error(data_copy)


def test_missing_threshold_and_unknown_key(data_copy: Path) -> None:
    def change(d):
        d["thresholds"].pop("margin_floor")
        d["thresholds"]["confidance_floor"] = 0.5

    edit(data_copy, "acts.yaml", change)
    message = load_error(data_copy)
    assert "acts.yaml: thresholds.margin_floor: Field required" in message
    assert "acts.yaml: thresholds.confidance_floor: Extra inputs are not permitted" in message


def test_unsupported_version(data_copy: Path) -> None:
    edit(data_copy, "entities.yaml", lambda d: d.__setitem__("version", 9))
    assert "entities.yaml: version: 9 is not supported" in load_error(data_copy)


def test_not_yaml(data_copy: Path) -> None:
    (data_copy / "intents" / "userdict.yaml").write_text("words: [平台, 站点\n", encoding="utf-8")
    assert "userdict.yaml: not valid YAML" in load_error(data_copy)


def test_a_key_written_twice(data_copy: Path) -> None:
    path = data_copy / "intents" / "topics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  wage:\n    phrases:\n", "  wage:\n    phrases:\n      4: [工钱工钱]\n", 1), encoding="utf-8")
    message = load_error(data_copy)
    assert "topics.yaml" in message and "appears twice" in message


def test_bad_userdict_entry(data_copy: Path) -> None:
    edit(data_copy, "userdict.yaml", lambda d: d["words"].append("封号 很多"))
    message = load_error(data_copy)
    assert "userdict.yaml: words" in message and "封号 很多" in message and "not a whole number" in message


def test_bad_traditional_pair(data_copy: Path) -> None:
    def change(d):
        d["traditional_to_simplified"] += " 勞动"

    edit(data_copy, "normalise.yaml", change)
    message = load_error(data_copy)
    assert "normalise.yaml: traditional_to_simplified" in message and "勞动" in message and "already maps to 劳" in message


def test_bad_pinyin_key(data_copy: Path) -> None:
    edit(data_copy, "normalise.yaml", lambda d: d["pinyin"].__setitem__("Gong  Zi", "工资"))
    message = load_error(data_copy)
    assert "normalise.yaml: pinyin" in message and "Gong  Zi" in message


def test_missing_file(data_copy: Path) -> None:
    (data_copy / "intents" / "topics.yaml").unlink()
    assert "topics.yaml: cannot read" in load_error(data_copy)


def test_floors_come_from_data(data_copy: Path) -> None:
    """The uncertainty floors are data: raising them makes a clear message uncertain."""
    text = "站长拖了我两个月工资不发 我该怎么办"
    assert Classifier.load(data_copy).classify(text).uncertain is False
    edit(data_copy, "acts.yaml", lambda d: d["thresholds"].__setitem__("confidence_floor", 1.0))
    assert Classifier.load(data_copy).classify(text).uncertain is True
