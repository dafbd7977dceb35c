"""What a worker reads: an entry (or a "not sure" retrieval) turned into plain text.

Pure functions, no I/O: the dialogue, `gongyou ask` and the loader's length check all use these,
so the text checked against the 500-character limit is the text that is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.types import Citation, FaqEntry, Hit

BASIS_LABEL = "依据："
NEXT_LABEL = "下一步："
HOTLINE_LABEL = "电话"
NOT_SURE_INTRO = "我不太确定你问的是哪一个，你是不是想问："
NOT_SURE_OUTRO = "回复序号，或者换个说法再问我。"
NOTHING = "这个问题我暂时答不上来。要不要请工会的工作人员帮你看看？回复“转人工”就行。"
OFF_TOPIC = "这个问题和工作上的权益关系不大，我帮不上忙。工资、工伤、合同、社保这些事，随时问我。"

_LAW_PREFIX = "中华人民共和国"


def law_name(law: str) -> str:
    """《劳动合同法》 for 中华人民共和国劳动合同法; names already in 《》 are kept as written."""
    law = law.strip()
    if "《" in law:
        return law
    if law.startswith(_LAW_PREFIX) and len(law) > len(_LAW_PREFIX):
        law = law[len(_LAW_PREFIX):]
    return f"《{law}》"


def basis_line(basis: Sequence[Citation]) -> str:
    """One line citing every source, articles of the same law joined: 依据：《劳动合同法》第三十条、第八十五条；…"""
    groups: list[tuple[str, list[str]]] = []
    for cite in basis:
        name = law_name(cite.law)
        article = cite.article.strip() + (f"（{cite.note.strip()}）" if cite.note.strip() else "")
        if groups and groups[-1][0] == name:
            groups[-1][1].append(article)
        else:
            groups.append((name, [article]))
    return BASIS_LABEL + "；".join(name + "、".join(a for a in articles if a) for name, articles in groups)


def render_answer(entry: FaqEntry) -> str:
    """The answer and its legal basis: the part held to the 500-character limit."""
    return f"{entry.answer.strip()}\n{basis_line(entry.basis)}"


def render_next_step(entry: FaqEntry) -> str:
    """The offered next step with its hotlines, or "" when the entry offers none."""
    step = entry.next_step
    if step.action == "none" and not step.hotlines:
        return step.text.strip() if step.text.strip() else ""
    hotlines = f"（{HOTLINE_LABEL}：{'、'.join(step.hotlines)}）" if step.hotlines else ""
    return f"{NEXT_LABEL}{step.text.strip()}{hotlines}"


def render_reply(entry: FaqEntry) -> str:
    """Answer, basis and next step, as one message."""
    step = render_next_step(entry)
    return render_answer(entry) + (f"\n\n{step}" if step else "")


def render_suggestions(hits: Sequence[Hit], limit: int = 3) -> str:
    """The "did you mean" list for a retrieval that is not sure; NOTHING when there is nothing to offer."""
    titles = [h.entry.title for h in hits if h.entry is not None][:limit]
    if not titles:
        return NOTHING
    lines = [NOT_SURE_INTRO, *(f"{i}. {title}" for i, title in enumerate(titles, 1)), NOT_SURE_OUTRO]
    return "\n".join(lines)
