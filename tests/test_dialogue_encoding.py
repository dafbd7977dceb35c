"""Text no UTF-8 encoder accepts (lone surrogates from broken clients) is kept, not dropped."""

from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.dialogue.types import Incoming, UserRef
from bot.services import Services


@pytest.mark.parametrize("text", ["工资\ud800没发 我要投诉", "\udfff", "\ud83d 在吗"])
async def test_lone_surrogates_get_a_normal_turn(tmp_path, text, caplog):
    services = await Services.open(tmp_path / "g.db", clock=FakeClock(datetime(2026, 11, 23, 2, tzinfo=UTC)))
    try:
        replies = await services.dialogue.handle(Incoming(UserRef("console", "u1"), text=text))
        assert replies and all(r.text for r in replies)
        assert replies[0].text != services.texts.render("error")
        assert "dialogue turn failed" not in caplog.text
    finally:
        await services.close()
