"""The ticket state machine: which changes are allowed, and the plain reason when one is not.

| from \\ via        | claim / assign | change_state to …                                   | reopen                |
|-------------------|----------------|-----------------------------------------------------|-----------------------|
| new               | → assigned     | assigned (= claim), closed*, transferred*           | refused               |
| assigned          | reassign only  | mediating, waiting, resolved†, transferred*, closed* | refused               |
| mediating         | reassign only  | waiting, resolved†, transferred*, closed*           | refused               |
| waiting           | reassign only  | mediating, resolved†, transferred*, closed*         | refused               |
| resolved          | refused        | refused (reopen first)                              | → assigned, else new  |
| transferred       | refused        | refused (reopen first)                              | → assigned, else new  |
| closed            | refused        | refused (reopen first)                              | → assigned, else new  |

`*` needs a reason; `†` needs the amount recovered (0 allowed). A worker's message on a `waiting`
ticket moves it back to `mediating` (an event by the worker). Everything else is refused with a
`TransitionError` whose message says why in Chinese and English.
"""

from __future__ import annotations

from bot.tickets.api import State

OPEN_STATES: frozenset[State] = frozenset({State.NEW, State.ASSIGNED, State.MEDIATING, State.WAITING})
FINAL_STATES: frozenset[State] = frozenset({State.RESOLVED, State.TRANSFERRED, State.CLOSED})

# Targets of change_state (new → assigned is carried out as a claim by the acting staff).
ALLOWED: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.ASSIGNED, State.CLOSED, State.TRANSFERRED}),
    State.ASSIGNED: frozenset({State.MEDIATING, State.WAITING, State.RESOLVED, State.TRANSFERRED, State.CLOSED}),
    State.MEDIATING: frozenset({State.WAITING, State.RESOLVED, State.TRANSFERRED, State.CLOSED}),
    State.WAITING: frozenset({State.MEDIATING, State.RESOLVED, State.TRANSFERRED, State.CLOSED}),
    State.RESOLVED: frozenset(),
    State.TRANSFERRED: frozenset(),
    State.CLOSED: frozenset(),
}
NEEDS_REASON: frozenset[State] = frozenset({State.CLOSED, State.TRANSFERRED})

LABELS: dict[State, str] = {
    State.NEW: "待接单",
    State.ASSIGNED: "已接单",
    State.MEDIATING: "调解中",
    State.WAITING: "等待工人补充",
    State.RESOLVED: "已办结",
    State.TRANSFERRED: "已转交",
    State.CLOSED: "已关闭",
}


def label(state: State | str) -> str:
    return LABELS[State(state)]


def refusal(code: str, current: State | str, target: State | str) -> str | None:
    """Why `current → target` by change_state is refused, or None when it is allowed."""
    current, target = State(current), State(target)
    if target in ALLOWED[current]:
        return None
    if current is target:
        return f"工单 {code} 已经是「{label(current)}」状态。(ticket {code} is already {current})"
    if current in FINAL_STATES:
        return (
            f"工单 {code} 已{label(current).removeprefix('已')}，如需继续处理请先重新打开。"
            f"(ticket {code} is {current}; reopen it first)"
        )
    if target is State.NEW:
        return (
            f"工单 {code} 不能退回「待接单」，可以改派给其他调解员。"
            f"(a ticket cannot go back to new; assign it to someone else instead)"
        )
    if current is State.NEW:
        return f"工单 {code} 还没有人接单，请先接单。(ticket {code} is not claimed yet: claim it first)"
    if target is State.ASSIGNED:
        return (
            f"工单 {code} 已在处理中（{label(current)}），要换人请用指派。"
            f"(ticket {code} is already being handled; use assign to hand it over)"
        )
    return (
        f"工单 {code} 不能从「{label(current)}」改为「{label(target)}」。"
        f"(ticket {code} cannot go from {current} to {target})"
    )


def reopen_refusal(code: str, current: State | str) -> str | None:
    current = State(current)
    if current in FINAL_STATES:
        return None
    return (
        f"工单 {code} 还在处理中（{label(current)}），不需要重新打开。"
        f"(only resolved, transferred or closed tickets can be reopened; {code} is {current})"
    )


def reopen_target(assignee: str | None) -> State:
    return State.ASSIGNED if assignee else State.NEW
