"""What staff see in the group: the queue, one ticket's card, the statistics (all HTML, all escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.channels.telegram.render import bold, quote
from bot.clock import to_local
from bot.tickets.api import Stats, Ticket

STATE_LABELS = {
    "new": "待接单", "assigned": "已接单", "mediating": "调解中", "waiting": "等待工人补充",
    "resolved": "已办结", "transferred": "已转交", "closed": "已关闭",
}
PRIORITY_LABELS = {"urgent": "🚨紧急", "high": "优先", "normal": "普通"}
TOPIC_LABELS = {
    "wage": "工资报酬", "injury": "工伤与人身伤害", "insurance": "保险理赔", "social_insurance": "社会保险",
    "contract": "劳动关系与合同", "dismissal": "解除与终止", "hours": "工时与休息", "platform": "平台规则与算法",
    "union": "工会服务", "process": "维权途径", "none": "未分类",
}
EVIDENCE_LABELS = {"photo": "照片", "document": "文件"}


class Labels:
    """Labels from the reply texts (`tickets.topic.*`) when present, else the built-in ones above."""

    def __init__(self, texts: object | None = None) -> None:
        self.texts = texts

    def _from_texts(self, key: str) -> str | None:
        texts = self.texts
        if texts is not None and key in texts:  # type: ignore[operator]
            return str(texts.render(key))  # type: ignore[attr-defined]
        return None

    def topic(self, topic: str) -> str:
        return self._from_texts(f"tickets.topic.{topic}") or TOPIC_LABELS.get(topic, topic or "未分类")

    def state(self, state: str) -> str:
        return STATE_LABELS.get(state, state)

    def priority(self, priority: str) -> str:
        return PRIORITY_LABELS.get(priority, priority)


def money(amount: float | None) -> str:
    if amount is None:
        return "未填"
    return f"{int(amount)} 元" if float(amount).is_integer() else f"{amount:.2f} 元"


def when(moment: datetime | None) -> str:
    return to_local(moment).strftime("%m-%d %H:%M") if moment else "—"


def queue_view(tickets: Sequence[Ticket], labels: Labels, title: str) -> str:
    lines = [bold(title)]
    for t in tickets:
        who = t.assignee.split(":", 1)[-1] if t.assignee else "未接单"
        lines.append(
            f"{bold(t.code)} · {quote(labels.priority(t.priority))} · {quote(labels.state(t.state))} · "
            f"{quote(labels.topic(t.topic))} · {quote(who)} · {quote(when(t.created_at))}"
        )
    return "\n".join(lines)


def ticket_view(t: Ticket, labels: Labels, assignee_name: str = "") -> str:
    i = t.intake
    place = "".join(p for p in (i.city, i.district) if p) or "未填"
    evidence = "、".join(EVIDENCE_LABELS.get(str(e.get("kind")), "附件") for e in i.evidence) or "无"
    rows = [
        f"{bold(t.code)}｜{quote(labels.priority(t.priority))}｜{quote(labels.state(t.state))}",
        f"类别：{quote(labels.topic(t.topic))}",
        f"负责人：{quote(assignee_name or (t.assignee or '未接单'))}",
        f"平台/单位：{quote(i.platform or i.employer or '未填')}　地点：{quote(place)}",
        f"金额：{quote(money(i.amount))}　人数：{quote(i.headcount if i.headcount is not None else '未填')}"
        f"　受伤：{'是' if i.injury else '否'}",
        f"电话：{quote(i.phone or '未填')}",
        f"证据：{len(i.evidence)} 件（{quote(evidence)}）",
        f"登记：{quote(when(t.created_at))}　更新：{quote(when(t.updated_at))}",
    ]
    if t.amount_recovered is not None:
        rows.append(f"追回：{quote(money(t.amount_recovered))}")
    summary = (i.summary or i.source_text).strip()
    if summary:
        rows.append("")
        rows.append(quote(summary))
    return "\n".join(rows)


def stats_view(stats: Stats, labels: Labels, title: str) -> str:
    def hours(seconds: float | None) -> str:
        return "—" if seconds is None else f"{seconds / 3600:.1f} 小时"

    lines = [bold(title), f"总数：{stats.total}"]
    if stats.by_state:
        lines.append("按状态：" + "，".join(f"{quote(labels.state(s))} {n}" for s, n in sorted(stats.by_state.items())))
    if stats.by_topic:
        lines.append("按类别：" + "，".join(f"{quote(labels.topic(s))} {n}" for s, n in
                                         sorted(stats.by_topic.items(), key=lambda kv: -kv[1])))
    lines.append(f"首次响应中位数：{hours(stats.median_first_response_s)}")
    lines.append(f"办结用时中位数：{hours(stats.median_resolution_s)}")
    lines.append(f"累计追回：{quote(money(stats.amount_recovered))}")
    return "\n".join(lines)
