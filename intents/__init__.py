"""Keyword intents: pure, synchronous classification of a worker's message (no I/O after load)."""

from intents.types import ACTS, TOPICS, NluResult

__all__ = ["ACTS", "TOPICS", "NluResult"]
