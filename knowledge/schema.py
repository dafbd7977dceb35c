"""The shape of one knowledge-base file (`data/faq/<topic>.yaml`), as pydantic models.

Limits are what a worker can read on a phone: a title fits a button, an answer fits one screen.
Cross-entry rules (unique ids, related ids that exist, catalogue coverage) live in
`knowledge.loader`, which sees every file at once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

SUPPORTED_VERSION = 1

TITLE_MAX = 18
QUESTION_MAX = 80
PARAPHRASES_MIN = 8
PARAPHRASE_MAX = 40
ANSWER_MAX = 450
RENDERED_MAX = 500          # the answer as a worker sees it, basis line and next step included
NOTE_MAX = 40
NEXT_STEP_TEXT_MAX = 60
RELATED_MIN, RELATED_MAX = 1, 4

ACTIONS = ("mediation", "human", "hotline", "arbitration", "legal_aid", "inspection", "none")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z0-9_]+$")]
Hotline = Annotated[str, StringConstraints(pattern=r"^[0-9][0-9-]{2,14}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitationModel(_Strict):
    law: Annotated[Text, StringConstraints(max_length=60)]
    article: Annotated[Text, StringConstraints(max_length=40)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)] = ""


class NextStepModel(_Strict):
    action: Literal["mediation", "human", "hotline", "arbitration", "legal_aid", "inspection", "none"]
    text: Annotated[Text, StringConstraints(max_length=NEXT_STEP_TEXT_MAX)]
    hotlines: list[Hotline] = Field(default_factory=list, max_length=4)


class EntryModel(_Strict):
    id: EntryId
    title: Annotated[Text, StringConstraints(max_length=TITLE_MAX)]
    question: Annotated[Text, StringConstraints(max_length=QUESTION_MAX)]
    paraphrases: list[Annotated[Text, StringConstraints(max_length=PARAPHRASE_MAX)]] = Field(min_length=PARAPHRASES_MIN)
    answer: Annotated[Text, StringConstraints(max_length=ANSWER_MAX)]
    basis: list[CitationModel] = Field(min_length=1)
    related: list[EntryId] = Field(min_length=RELATED_MIN, max_length=RELATED_MAX)
    next_step: NextStepModel

    @field_validator("paraphrases")
    @classmethod
    def _paraphrases_differ(cls, value: list[str], info: ValidationInfo) -> list[str]:
        seen: set[str] = set()
        repeated = sorted({p for p in value if p in seen or seen.add(p)})  # type: ignore[func-returns-value]
        if repeated:
            raise ValueError(f"paraphrases must all differ; repeated: {'、'.join(repeated)}")
        if info.data.get("question") in seen:
            raise ValueError("a paraphrase repeats the question word for word")
        return value

    @field_validator("related")
    @classmethod
    def _related_distinct(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("related lists an id twice")
        if info.data.get("id") in value:
            raise ValueError("related must not list the entry itself")
        return value


class FaqFileModel(_Strict):
    version: Literal[1]
    topic: str
    entries: list[EntryModel] = Field(min_length=1)
