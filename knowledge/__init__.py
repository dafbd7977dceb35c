"""The labor-law knowledge base: loading, validation and retrieval (pure after load)."""

from knowledge.types import Citation, FaqEntry, Hit, NextStep, Retrieval

__all__ = ["Citation", "FaqEntry", "Hit", "NextStep", "Retrieval"]
