from bot.cli import main


def test_help_exits_zero(capsys):
    assert main([]) == 0
    assert "gongyou" in capsys.readouterr().out


def test_unknown_command_is_an_error():
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_a_broken_data_file_is_one_plain_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    import shutil

    from bot.paths import data_dir

    broken = tmp_path / "data"
    shutil.copytree(data_dir(), broken)
    (broken / "intents" / "acts.yaml").write_text("version: 1\nacts: [\n", encoding="utf-8")
    monkeypatch.setenv("GONGYOU_DATA_DIR", str(broken))
    assert main(["ask", "工资被拖欠怎么办"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gongyou ask: ") and "acts.yaml" in err and "Traceback" not in err


def test_a_bug_is_not_hidden_as_a_data_error():
    from bot.cli import is_data_error

    assert not is_data_error(ValueError("a plain bug"))
