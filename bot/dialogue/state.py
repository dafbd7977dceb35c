"""A worker's conversation state: where they are in a flow and what they have told us so far.

Stored as JSON (one row per worker in `conversations`) so a restart in the middle of an intake
continues at the same question. Unknown keys from a newer version are ignored; a row that does
not parse starts a fresh conversation instead of failing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATE_VERSION = 1
MAX_PENDING_FILES = 20


@dataclass(slots=True)
class ConversationState:
    flow: str | None = None                 # "intake" | "callback" | "urgent_phone" | None
    step: str | None = None                 # the question we are waiting on in that flow
    draft: dict[str, Any] = field(default_factory=dict)     # intake fields (see bot.dialogue.intake)
    done: list[str] = field(default_factory=list)           # intake fields answered, confirmed or skipped
    confirm: list[str] = field(default_factory=list)        # entities still to confirm ("amount", …)
    editing: bool = False                   # the current question came from the summary's edit buttons
    consent: dict[str, str] | None = None   # {"text_version", "agreed_at"} for this intake
    ticket_id: int | None = None            # the ticket a follow-up question (urgent phone) belongs to
    invalid: int = 0                        # invalid answers in a row to the current question
    last_answer: str | None = None          # FAQ id of the last answer (feedback, related)
    suggestions: list[str] = field(default_factory=list)    # FAQ ids offered by "你是不是想问"
    pending_files: list[dict[str, Any]] = field(default_factory=list)   # files sent before an intake
    rated: list[str] = field(default_factory=list)          # FAQ ids this worker pressed 有用/没用 on (counted once)

    def reset_flow(self) -> None:
        self.flow = None
        self.step = None
        self.draft = {}
        self.done = []
        self.confirm = []
        self.editing = False
        self.consent = None
        self.ticket_id = None
        self.invalid = 0

    def to_json(self) -> str:
        return json.dumps({"v": STATE_VERSION, **asdict(self)}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        state = cls()
        for key, value in data.items():
            if key in known and value is not None:
                try:
                    setattr(state, key, value)
                except TypeError:
                    continue
        return state
