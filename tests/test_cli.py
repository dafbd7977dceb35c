from bot.cli import main


def test_help_exits_zero(capsys):
    assert main([]) == 0
    assert "gongyou" in capsys.readouterr().out


def test_unknown_command_is_an_error():
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
