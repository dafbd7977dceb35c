"""The loaded knowledge base and the catalogue of entries it must contain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from knowledge.types import FaqEntry


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Required entry ids → topic (and the question each answers, for reports)."""

    topics: dict[str, str]
    questions: dict[str, str] = field(default_factory=dict)
    #: ids the union added beyond the project's catalogue (`additions:`); required all the same
    added: frozenset[str] = frozenset()

    @property
    def required_by_spec(self) -> dict[str, str]:
        """The project catalogue's own ids → topic (without the union's additions)."""
        return {k: v for k, v in self.topics.items() if k not in self.added}

    def ids_for(self, topic: str) -> list[str]:
        return [i for i, t in self.topics.items() if t == topic]


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    entries: dict[str, FaqEntry]          # id → entry, in file order
    catalogue: Catalogue

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FaqEntry]:
        return iter(self.entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def get(self, entry_id: str) -> FaqEntry | None:
        return self.entries.get(entry_id)

    def related(self, entry: FaqEntry) -> list[FaqEntry]:
        """The entry's related entries that exist (a catalogue gap is skipped, never shown)."""
        return [self.entries[i] for i in entry.related if i in self.entries]

    def missing(self) -> list[str]:
        """Catalogue ids without an entry."""
        return [i for i in self.catalogue.topics if i not in self.entries]

    def coverage(self) -> dict[str, tuple[list[str], list[str]]]:
        """topic → (catalogue ids present, catalogue ids missing), in catalogue order."""
        out: dict[str, tuple[list[str], list[str]]] = {}
        for entry_id, topic in self.catalogue.topics.items():
            have, missing = out.setdefault(topic, ([], []))
            (have if entry_id in self.entries else missing).append(entry_id)
        return out
