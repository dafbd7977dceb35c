import pytest

from bot.texts import Texts, TextsError


def write(tmp_path, name, body):
    (tmp_path / name).write_text(body, encoding="utf-8")


def test_render_and_placeholders(tmp_path):
    write(tmp_path, "a.yaml", "version: 1\ntexts:\n  hi: 你好，{name}\n")
    texts = Texts.load(tmp_path)
    assert texts.render("hi", name="小王") == "你好，小王"
    assert texts.placeholders("hi") == {"name"}
    with pytest.raises(TextsError, match="needs a value"):
        texts.render("hi")
    with pytest.raises(TextsError, match="unknown text key"):
        texts.render("nope")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("version: 1\ntexts:\n  hi: ''\n", "non-empty"),
        ("version: 2\ntexts:\n  hi: x\n", "not supported"),
        ("[1, 2]\n", "expected a mapping"),
        ("version: 1\ntexts:\n  hi: '{oops'\n", "bad placeholder"),
    ],
)
def test_bad_files_name_file_entry_and_reason(tmp_path, body, reason):
    write(tmp_path, "bad.yaml", body)
    with pytest.raises(TextsError, match=reason) as exc:
        Texts.load(tmp_path)
    assert "bad.yaml" in str(exc.value)


def test_duplicate_key_across_files(tmp_path):
    write(tmp_path, "a.yaml", "version: 1\ntexts:\n  hi: x\n")
    write(tmp_path, "b.yaml", "version: 1\ntexts:\n  hi: y\n")
    with pytest.raises(TextsError, match=r"already defined in a\.yaml"):
        Texts.load(tmp_path)


def test_require_names_missing_keys_and_unknown_placeholders(tmp_path):
    write(tmp_path, "a.yaml", "version: 1\ntexts:\n  hi: 你好，{name}{oops}\n")
    texts = Texts.load(tmp_path)
    texts.require({"hi": {"name", "oops"}}, "test texts")
    with pytest.raises(TextsError) as exc:
        texts.require({"hi": {"name"}, "bye": set()}, "test texts (a.yaml)")
    message = str(exc.value)
    assert "test texts (a.yaml) are incomplete" in message
    assert "bye: missing" in message and "hi: unknown placeholder(s) ['oops']" in message
