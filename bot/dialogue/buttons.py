"""Button payloads: short ASCII strings the dialogue gets back when a button is pressed.

    m:<what>           menu (wage, injury, social_insurance, complain, status, human, menu, newcase)
    faq:<id>           show a knowledge-base entry          rel:<id>   its related questions
    fb:up:<id>         "有用"  fb:down:<id> "没用"          sg:none    "都不是" after suggestions
    in:…               the intake form (see bot.dialogue.intake)
    hu:yes             agree to be called back (找人工)
    tk:<ticket id>     one of the worker's tickets

Payloads stay within 48 bytes (Telegram allows 64; channels may add a prefix).
"""

from __future__ import annotations

import logging

from bot.dialogue.types import Button

log = logging.getLogger(__name__)

MAX_DATA_BYTES = 48

MENU = "m:menu"
COMPLAIN = "m:complain"
STATUS = "m:status"
HUMAN = "m:human"
NEW_CASE = "m:newcase"
CANCEL = "in:cancel"
CALLBACK_YES = "hu:yes"
NONE_OF_THESE = "sg:none"

MENU_TOPICS = ("wage", "injury", "social_insurance")
MENU_ROWS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("btn.menu.wage", "m:wage"), ("btn.menu.injury", "m:injury"), ("btn.menu.social_insurance", "m:social_insurance")),
    (("btn.menu.complain", COMPLAIN), ("btn.menu.status", STATUS), ("btn.menu.human", HUMAN)),
)


def make(label: str, data: str) -> Button:
    """A button; a payload over the limit is a programming error (ids are checked at load)."""
    if len(data.encode("ascii", errors="strict")) > MAX_DATA_BYTES:
        raise ValueError(f"button payload too long ({len(data)} bytes): {data!r}")
    return Button(label, data)


def fits(data: str) -> bool:
    try:
        return len(data.encode("ascii")) <= MAX_DATA_BYTES
    except UnicodeEncodeError:
        return False


def faq(entry_id: str) -> str:
    return f"faq:{entry_id}"


def related(entry_id: str) -> str:
    return f"rel:{entry_id}"


def feedback(entry_id: str, useful: bool) -> str:
    return f"fb:{'up' if useful else 'down'}:{entry_id}"


def ticket(ticket_id: int) -> str:
    return f"tk:{ticket_id}"
