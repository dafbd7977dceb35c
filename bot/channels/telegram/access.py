"""Who may act as staff: members of the staff chat (asked with getChatMember, cached briefly) or ADMIN_IDS."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from aiogram.types import User

from bot.tickets.api import Actor

log = logging.getLogger(__name__)

MEMBER_STATUSES = {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
# Telegram's placeholder users for anonymous group admins and for posts sent on behalf of a channel.
ANONYMOUS_USER_IDS = {1087968824, 136817688, 777000}


def staff_actor(user: User) -> Actor:
    return Actor("staff", f"telegram:{user.id}", user.full_name)


class StaffDirectory:
    """Answers "is this user staff?" with a short cache, so a busy group costs few API calls.

    A failed lookup (network, bot not in the chat) counts as "not staff" and is not cached:
    refusing is the safe answer and the next try asks again.
    """

    def __init__(
        self,
        staff_chat_id: int,
        admin_ids: Iterable[int] = (),
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.staff_chat_id = staff_chat_id
        self.admin_ids = frozenset(admin_ids)
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[int, tuple[bool, float]] = {}

    async def is_staff(self, bot: Bot, user: User | None) -> bool:
        if user is None or user.is_bot or user.id in ANONYMOUS_USER_IDS:
            return False
        if user.id in self.admin_ids:
            return True
        now = self.clock()
        cached = self._cache.get(user.id)
        if cached and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat_id=self.staff_chat_id, user_id=user.id)
        except TelegramAPIError as exc:
            log.warning("staff check failed user=%s error=%s", user.id, exc)
            return False
        allowed = member.status in MEMBER_STATUSES or (
            member.status == ChatMemberStatus.RESTRICTED and bool(getattr(member, "is_member", False))
        )
        self._cache[user.id] = (allowed, now + self.ttl)
        if len(self._cache) > 10_000:
            self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
        return allowed

    def forget(self, user_id: int) -> None:
        self._cache.pop(user_id, None)
