"""The real knowledge base: valid, and covering every catalogue entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.paths import REPO_ROOT
from intents.types import TOPICS
from knowledge.loader import check, load_catalogue

SPEC = REPO_ROOT.parent / "shared" / "spec" / "faq_catalogue.yaml"


def test_catalogue_copy_matches_the_spec(data_path: Path):
    if not SPEC.exists():
        pytest.skip("../shared/spec is not beside this checkout")
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    ours = load_catalogue(data_path / "faq" / "catalogue.yaml")
    assert ours.required_by_spec == {key: item["topic"] for key, item in spec.items()}
    assert {k: q for k, q in ours.questions.items() if k not in ours.added} == {key: item["q"] for key, item in spec.items()}


def test_catalogue_topics_are_known_topics(data_path: Path):
    catalogue = load_catalogue(data_path / "faq" / "catalogue.yaml")
    assert len(catalogue.required_by_spec) == 53
    assert set(catalogue.topics.values()) <= set(TOPICS) - {"none"}
    assert all(key.startswith(topic + ".") for key, topic in catalogue.topics.items())


def test_real_knowledge_base_is_valid(data_path: Path):
    report = check(data_path / "faq")
    assert [str(p) for p in report.problems] == []


def test_every_catalogue_key_is_covered(data_path: Path):
    report = check(data_path / "faq")
    assert report.missing == []
    for topic, (have, missing) in report.kb.coverage().items():
        assert have and not missing, topic


def test_every_related_link_resolves(data_path: Path):
    report = check(data_path / "faq")
    for entry in report.kb:
        assert [r.id for r in report.kb.related(entry)] == list(entry.related), entry.id
