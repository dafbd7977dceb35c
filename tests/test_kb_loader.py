"""Loader validation: each kind of bad entry fails naming file, entry and field (fixture KB)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.loader import KbError, check, load_catalogue, load_kb

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "faq"
    shutil.copytree(FIXTURE, target)
    return target


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems(folder: Path) -> list[str]:
    return [str(p) for p in check(folder).problems]


def test_fixture_is_valid_and_complete():
    report = check(FIXTURE)
    assert report.problems == []
    assert report.missing == []
    assert report.ok
    kb = load_kb(FIXTURE)
    assert sorted(e.id for e in kb) == ["hours.high_temperature", "hours.overtime_pay", "wage.arrears_steps", "wage.deduction"]
    entry = kb.get("wage.arrears_steps")
    assert entry is not None and entry.topic == "wage" and entry.source_file == "wage.yaml"
    assert entry.basis[1].note == "逾期不付加付赔偿金"
    assert entry.next_step.hotlines == ("12351",)


# (file, old text, new text, expected fragments of the one problem line)
BAD_ENTRIES = [
    pytest.param("wage.yaml", "title: 工资拖着不发", "title: 工资一直拖着不发给我我该怎么办才好呢啊",
                 ["wage.yaml:6", "wage.arrears_steps", "title", "too long: 19 characters, at most 18"], id="title-too-long"),
    pytest.param("wage.yaml", "    title: 工资被克扣\n", "",
                 ["wage.yaml:", "wage.deduction", "title", "required field is missing"], id="missing-field"),
    pytest.param("wage.yaml", "title: 工资被克扣", "title: 工资被克扣\n    titel: 工资",
                 ["wage.yaml:", "wage.deduction", "titel", "unknown field"], id="unknown-field"),
    pytest.param("wage.yaml", "      - 没说原因就少给钱\n", "",
                 ["wage.deduction", "paraphrases", "at least 8 items, has 7"], id="too-few-paraphrases"),
    pytest.param("wage.yaml", "      - 没说原因就少给钱", "      - 老板随便找理由扣钱",
                 ["wage.deduction", "paraphrases", "must all differ", "老板随便找理由扣钱"], id="repeated-paraphrase"),
    pytest.param("wage.yaml", "      - 没说原因就少给钱", "      - " + "扣" * 41,
                 ["wage.yaml:", "wage.deduction", "paraphrases[7]", "41 characters, at most 40"], id="paraphrase-too-long"),
    pytest.param("wage.yaml", "      - 没说原因就少给钱", "      - 工资被扣钱合法吗？",
                 ["wage.deduction", "paraphrases", "repeats the question"], id="paraphrase-is-question"),
    pytest.param("wage.yaml", "      - 没说原因就少给钱", "      - 欠薪了，去哪里讨？",
                 ["wage.deduction", "paraphrases", "also a question/paraphrase of wage.arrears_steps"],
                 id="sentence-in-two-entries"),
    pytest.param("hours.yaml", "related: [hours.high_temperature]", "related: [hours.night_shift]",
                 ["hours.yaml:", "hours.overtime_pay", "related", "'hours.night_shift' does not exist"], id="related-missing"),
    pytest.param("hours.yaml", "related: [hours.high_temperature]", "related: [hours.overtime_pay]",
                 ["hours.overtime_pay", "related", "must not list the entry itself"], id="related-self"),
    pytest.param("hours.yaml", "related: [hours.high_temperature]", "related: []",
                 ["hours.overtime_pay", "related", "at least 1"], id="related-empty"),
    pytest.param("hours.yaml", "related: [hours.high_temperature]",
                 "related: [hours.high_temperature, wage.deduction, wage.arrears_steps, hours.high_temperature, wage.deduction]",
                 ["hours.overtime_pay", "related", "at most 4"], id="related-too-many"),
    pytest.param("hours.yaml", "basis:\n      - {law: 中华人民共和国劳动法, article: 第四十四条}\n", "basis: []\n",
                 ["hours.overtime_pay", "basis", "at least 1"], id="no-basis"),
    pytest.param("hours.yaml", "{law: 中华人民共和国劳动法, article: 第四十四条}", "{law: 中华人民共和国劳动法}",
                 ["hours.overtime_pay", "basis[1].article", "required field is missing"], id="basis-without-article"),
    pytest.param("wage.yaml", "note: 逾期不付加付赔偿金", "note: " + "注" * 41,
                 ["wage.arrears_steps", "basis[2].note", "at most 40"], id="note-too-long"),
    pytest.param("hours.yaml", "action: none", "action: lawyer",
                 ["hours.overtime_pay", "next_step.action", "'lawyer' is not one of"], id="unknown-action"),
    pytest.param("hours.yaml", "text: 把加班记录截图保存好，有需要再来找我。", "text: " + "好" * 61,
                 ["hours.overtime_pay", "next_step.text", "61 characters, at most 60"], id="next-step-too-long"),
    pytest.param("hours.yaml", 'hotlines: ["12333", "12351"]', 'hotlines: ["12333", "call us"]',
                 ["hours.high_temperature", "next_step.hotlines[2]", "wrong form"], id="bad-hotline"),
    pytest.param("hours.yaml", "id: hours.high_temperature", "id: hours.overtime_pay",
                 ["hours.yaml:", "hours.overtime_pay", "id", "already used in hours.yaml:"], id="duplicate-id"),
    pytest.param("hours.yaml", "id: hours.high_temperature", "id: wage.high_temperature",
                 ["hours.yaml:", "wage.high_temperature", "id", "must start with the file's topic 'hours'"], id="id-wrong-topic"),
    pytest.param("hours.yaml", "id: hours.high_temperature", "id: hours.heat",
                 ["hours.heat", "id", "not in the catalogue"], id="id-not-in-catalogue"),
    pytest.param("hours.yaml", "id: hours.high_temperature", "id: Hours High",
                 ["Hours High", "id", "wrong form"], id="id-bad-form"),
    pytest.param("hours.yaml", "topic: hours", "topic: overtime",
                 ["hours.yaml:3", "topic", "unknown topic 'overtime'"], id="unknown-topic"),
    pytest.param("hours.yaml", "version: 1", "version: 2",
                 ["hours.yaml:2", "version", "not supported"], id="newer-version"),
    pytest.param("hours.yaml", "version: 1\n", "",
                 ["hours.yaml", "version", "required field is missing"], id="no-version"),
]


@pytest.mark.parametrize(("name", "old", "new", "fragments"), BAD_ENTRIES)
def test_bad_entry_is_named(kb_dir: Path, name: str, old: str, new: str, fragments: list[str]):
    edit(kb_dir, name, old, new)
    found = problems(kb_dir)
    matching = [p for p in found if all(f in p for f in fragments)]
    assert matching, f"no problem line with {fragments}; got:\n" + "\n".join(found)
    with pytest.raises(KbError) as exc:
        load_kb(kb_dir)
    assert matching[0] in str(exc.value)


def test_answer_over_the_limit(kb_dir: Path):
    edit(kb_dir, "hours.yaml", "法定节假日加班的，不低于300%。", "法定节假日加班的，不低于300%。" + "详" * 420)
    found = problems(kb_dir)
    assert any("hours.overtime_pay: answer: too long:" in p and "at most 450" in p for p in found), found


def test_rendered_answer_over_500_is_refused(kb_dir: Path):
    # 445 characters of answer pass the field limit; three long citations push the rendered text past 500.
    long_basis = "".join(
        f"\n      - {{law: 某某省新就业形态劳动者权益保障条例第{i}号, article: 第一百二十三条第四款, note: {'注' * 30}}}"
        for i in range(3))
    edit(kb_dir, "hours.yaml", "      - {law: 中华人民共和国劳动法, article: 第四十四条}", long_basis.lstrip("\n"))
    edit(kb_dir, "hours.yaml", "法定节假日加班的，不低于300%。", "法定节假日加班的，不低于300%。" + "详" * 380)
    found = problems(kb_dir)
    assert any("hours.overtime_pay: answer: the rendered answer" in p and "at most 500" in p for p in found), found


def test_duplicate_yaml_key_is_an_error(kb_dir: Path):
    edit(kb_dir, "hours.yaml", "    title: 高温补贴\n", "    title: 高温补贴\n    title: 高温津贴\n")
    found = problems(kb_dir)
    assert any(p.startswith("hours.yaml:") and "'title' appears twice" in p for p in found), found


def test_broken_yaml_names_the_line(kb_dir: Path):
    edit(kb_dir, "hours.yaml", "    title: 高温补贴\n", "    title: [高温补贴\n")
    found = problems(kb_dir)
    assert len(found) >= 1 and found[0].startswith("hours.yaml:") and "not valid YAML" in found[0], found


def test_all_problems_are_listed_once(kb_dir: Path):
    edit(kb_dir, "wage.yaml", "title: 工资拖着不发", "title: " + "长" * 19)
    edit(kb_dir, "hours.yaml", "action: none", "action: lawyer")
    edit(kb_dir, "hours.yaml", "related: [hours.overtime_pay]", "related: [hours.nope]")
    found = problems(kb_dir)
    assert len(found) == 3, found
    assert len(set(found)) == 3
    with pytest.raises(KbError) as exc:
        load_kb(kb_dir)
    assert len(exc.value.problems) == 3


def test_invalid_entry_does_not_cascade_into_related_errors(kb_dir: Path):
    # wage.deduction is broken, but the entries pointing at it must not be reported as well.
    edit(kb_dir, "wage.yaml", "title: 工资被克扣", "title: " + "长" * 19)
    found = problems(kb_dir)
    assert len(found) == 1 and "wage.deduction: title" in found[0], found


def test_entry_without_id_is_named_by_position(kb_dir: Path):
    edit(kb_dir, "wage.yaml", "  - id: wage.deduction\n    title", "  - title")
    found = problems(kb_dir)
    assert any("wage.yaml:" in p and "entry #2: id: required field is missing" in p for p in found), found


def test_missing_catalogue_entry_is_a_gap_not_a_load_error(kb_dir: Path):
    night = "  hours.night_shift: {topic: hours, q: 夜班}\n"
    edit(kb_dir, "catalogue.yaml", "  hours.high_temperature:", night + "  hours.high_temperature:")
    report = check(kb_dir)
    assert report.problems == []
    assert report.missing == ["hours.night_shift"]
    assert not report.ok
    assert report.kb.coverage()["hours"] == (["hours.overtime_pay", "hours.high_temperature"], ["hours.night_shift"])
    assert len(load_kb(kb_dir)) == 4
    with pytest.raises(KbError, match=r"no entry for hours\.night_shift"):
        load_kb(kb_dir, require_complete=True)


def test_empty_folder_is_an_error(tmp_path: Path):
    shutil.copy(FIXTURE / "catalogue.yaml", tmp_path / "catalogue.yaml")
    assert any("no knowledge-base files" in p for p in problems(tmp_path))


def test_catalogue_with_unknown_topic_is_refused(kb_dir: Path):
    edit(kb_dir, "catalogue.yaml", "{topic: hours, q: 加班费怎么算}", "{topic: overtime, q: 加班费怎么算}")
    with pytest.raises(KbError, match=r"catalogue\.yaml:6: hours\.overtime_pay: topic 'overtime'"):
        load_catalogue(kb_dir / "catalogue.yaml")


NIGHT_SHIFT_ENTRY = """
  - id: hours.night_shift
    title: 夜班补贴
    question: 上夜班有没有补贴？
    paraphrases:
      - 半夜送单有没有夜班费
      - 通宵跑单给不给补贴
      - 晚上十点以后接单算夜班吗
      - 夜里干活工资一样吗
      - 站点排我连上一周夜班
      - 凌晨配送有额外的钱吗
      - 夜班津贴各地都有吗
      - 上大夜班老板不给补助
    answer: |-
      夜班补贴没有全国统一标准，看劳动合同、公司制度和当地规定。
    basis:
      - {law: 中华人民共和国劳动法, article: 第三十六条}
    related: [hours.overtime_pay]
    next_step: {action: none, text: 把排班记录截图保存好，有需要再来找我。}
"""


def _add_night_shift_entry(kb_dir: Path) -> None:
    path = kb_dir / "hours.yaml"
    path.write_text(path.read_text(encoding="utf-8") + NIGHT_SHIFT_ENTRY, encoding="utf-8")


def test_an_entry_the_union_added_is_accepted_once_listed_under_additions(kb_dir: Path):
    _add_night_shift_entry(kb_dir)
    assert any("hours.night_shift" in p and "not in the catalogue" in p for p in problems(kb_dir))
    (kb_dir / "catalogue.yaml").write_text(
        (kb_dir / "catalogue.yaml").read_text(encoding="utf-8") + "additions:\n  hours.night_shift: {topic: hours, q: 夜班}\n",
        encoding="utf-8")
    report = check(kb_dir)
    assert report.problems == [] and report.ok
    assert "hours.night_shift" in report.kb.entries
    catalogue = report.kb.catalogue
    assert catalogue.added == {"hours.night_shift"} and "hours.night_shift" not in catalogue.required_by_spec


def test_an_addition_listed_but_not_written_is_a_gap(kb_dir: Path):
    (kb_dir / "catalogue.yaml").write_text(
        (kb_dir / "catalogue.yaml").read_text(encoding="utf-8") + "additions:\n  hours.night_shift: {topic: hours, q: 夜班}\n",
        encoding="utf-8")
    assert check(kb_dir).missing == ["hours.night_shift"]


def test_an_addition_cannot_repeat_a_catalogue_id(kb_dir: Path):
    (kb_dir / "catalogue.yaml").write_text(
        (kb_dir / "catalogue.yaml").read_text(encoding="utf-8") + "additions:\n  wage.deduction: {topic: wage, q: 扣钱}\n",
        encoding="utf-8")
    with pytest.raises(KbError, match=r"catalogue\.yaml:\d+: wage\.deduction: already listed under entries"):
        load_catalogue(kb_dir / "catalogue.yaml")
