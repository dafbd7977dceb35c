"""bot.logsafe: the second line of defence that masks personal data in whatever gets logged."""

from __future__ import annotations

import functools
import io
import logging

import pytest
from pydantic import BaseModel, ValidationError

from bot import logsafe


@pytest.fixture
def safe_logging():
    """logsafe configured at DEBUG into a buffer; the process's logging put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_levels = {name: logging.getLogger(name).level for name in (*logsafe.QUIET_BELOW_DEBUG, "quietpkg")}
    buffer = io.StringIO()
    handler = logsafe.configure("DEBUG", stream=buffer)
    yield buffer, handler
    logsafe.uninstall_record_factory()
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("text", [
    "13800138000", "电话13800138000。", "+8613800138000", "+86 138 0013 8000", "008613800138000",
    "8613800138000", "138-0013-8000", "010-12345678", "(020)87654321", "0755 8888 6666",
])
def test_phone_numbers_are_masked(text):
    masked = logsafe.redact(text)
    assert logsafe.PHONE_MASK in masked
    assert sum(ch.isdigit() for ch in masked) <= 3, masked


def test_id_card_numbers_are_masked():
    assert logsafe.redact("身份证110101199003071234号") == f"身份证{logsafe.ID_MASK}号"
    assert logsafe.redact("id 11010119900307123X") == f"id {logsafe.ID_MASK}"


@pytest.mark.parametrize("text", [
    "GY-20261123-0007", "user=1380013800", "chat=-1001234567890", "outbox=12 took 0.0123456789 s",
    "2026-11-23T02:00:00.123Z", "call 12351", "update id=1732345678901",
])
def test_ids_codes_and_times_are_left_alone(text):
    assert logsafe.redact(text) == text


def test_pydantic_input_values_are_hidden():
    class Model(BaseModel):
        count: int

    with pytest.raises(ValidationError) as caught:
        Model(count="我叫张三，欠我三千")
    masked = logsafe.redact(str(caught.value))
    assert "张三" not in masked and "input_value=<redacted>" in masked and "input_type=str" in masked


def test_aiosqlite_style_partial_arguments_show_the_function_only(safe_logging):
    buffer, _ = safe_logging
    call = functools.partial(print, "INSERT INTO events VALUES (?)", ("我叫张三",))
    logging.getLogger("aiosqlite").debug("executing %s", call)
    out = buffer.getvalue()
    assert "张三" not in out
    assert "executing <call print>" in out


def test_message_arguments_and_tracebacks_are_redacted(safe_logging):
    buffer, _ = safe_logging
    log = logging.getLogger("tests.logsafe")
    log.warning("reply to %s failed", "13800138000")
    try:
        raise ValueError("bad phone 139 1234 5678")
    except ValueError:
        log.exception("turn failed")
    out = buffer.getvalue()
    assert "13800138000" not in out and "139 1234 5678" not in out
    assert "reply to <phone> failed" in out
    assert "ValueError: bad phone <phone>" in out


def test_caplog_sees_the_redacted_record_too(safe_logging, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("tests.logsafe").info("worker phone %s", "13912345678")
    assert "13912345678" not in caplog.text
    assert caplog.records[-1].getMessage() == "worker phone <phone>"


def test_personal_fields_passed_as_extra_are_masked(safe_logging):
    buffer, _ = safe_logging
    logging.getLogger("tests.logsafe").info(
        "intake saved", extra={"text": "老板欠我三千", "worker_name": "张三", "phone": "x", "ticket": "GY-20261123-0001",
                               "note_count": 2})
    line = buffer.getvalue().strip()
    assert "老板" not in line and "张三" not in line
    assert "text=<redacted>" in line and "worker_name=<redacted>" in line and "phone=<redacted>" in line
    assert "ticket=GY-20261123-0001" in line and "note_count=2" in line


def test_key_value_line_shape(safe_logging):
    buffer, _ = safe_logging
    logging.getLogger("bot.storage.db").info("applied migration %d", 2, extra={"path": "/tmp/a b.db"})
    line = buffer.getvalue().strip()
    stamp, rest = line.split(" ", 1)
    assert stamp.endswith("Z") and "T" in stamp
    assert rest == 'level=INFO logger=bot.storage.db msg="applied migration 2" path="/tmp/a b.db"'


def test_configure_twice_keeps_one_handler_and_quietens(safe_logging):
    _, first = safe_logging
    buffer = io.StringIO()
    second = logsafe.configure("WARNING", stream=buffer, quiet=("quietpkg",))
    handlers = [h for h in logging.getLogger().handlers if h in (first, second)]
    assert handlers == [second]
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("quietpkg").level == logging.WARNING
    with pytest.raises(ValueError, match="unknown log level"):
        logsafe.configure("LOUD")


def test_uninstall_restores_the_previous_factory(safe_logging):
    assert logging.getLogRecordFactory() is logsafe._safe_record_factory
    logsafe.uninstall_record_factory()
    assert logging.getLogRecordFactory() is not logsafe._safe_record_factory
    logsafe.install_record_factory()
    logsafe.install_record_factory()   # idempotent: never wraps itself
    assert logsafe._base_factory is not logsafe._safe_record_factory
