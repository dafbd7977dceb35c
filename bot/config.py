"""Runtime settings for `gongyou serve`, read once from the environment or a `.env` file.

Only `__main__`/`gongyou serve` calls `load_settings()`; everything else receives the `Settings`
object. A missing or malformed token or staff chat fails here, before any network, with a message
that names the variable and says how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import data_dir as default_data_dir

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,}$")


class ConfigError(ValueError):
    """Settings that cannot work; the message lists every problem, one per line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False,
    )

    bot_token: SecretStr = Field(description="the token from @BotFather, e.g. 123456789:AA…")
    staff_chat_id: int = Field(description="the staff group (a supergroup id, negative, e.g. -1001234567890)")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram user ids of on-duty admins, comma separated",
    )
    database_path: Path | None = None                 # default: the per-user data folder (bot.services.default_db_path)
    data_dir: Path = Field(
        default_factory=default_data_dir, validation_alias=AliasChoices("GONGYOU_DATA_DIR", "DATA_DIR", "data_dir"),
    )

    telegram_api_url: str | None = Field(default=None, description="a self-hosted Bot API server, e.g. http://127.0.0.1:8081")
    staff_topics: Literal["auto", "on", "off"] = "auto"   # one forum topic per ticket (auto: if the staff chat is a forum)

    webhook_url: str | None = None                    # set it to run in webhook mode, e.g. https://bot.example.org/tg
    webhook_secret: SecretStr | None = None           # X-Telegram-Bot-Api-Secret-Token, required with a webhook
    webhook_listen_host: str = "127.0.0.1"
    webhook_listen_port: int = Field(default=8080, ge=1, le=65535)

    # Follow-up rules (bot/scheduler/rules.py); 0 switches a rule off.
    sla_urgent_realert_minutes: float = Field(default=10, ge=0)   # urgent, unclaimed: re-alert admins every N minutes
    sla_unclaimed_working_hours: float = Field(default=4, ge=0)   # high/normal unclaimed: one reminder
    sla_stale_working_days: float = Field(default=3, ge=0)        # assigned, no staff update: remind the assignee
    sla_mediation_days: int = Field(default=15, ge=0)             # 劳动争议调解仲裁法第十四条: tell of arbitration
    sla_mediation_pauses_when_waiting: bool = False               # the statute's days do not pause; keep False
    sla_waiting_nudge_hours: float = Field(default=48, ge=0)      # one gentle nudge per waiting period
    sla_survey_after_hours: float = Field(default=24, ge=0)       # satisfaction survey after resolved
    sla_digest_time: str = "09:00"                                 # daily digest, Asia/Shanghai; "off" for none

    # Personal data and abuse (bot/privacy, bot/channels/telegram/middlewares).
    retention_days: int = Field(default=365, ge=1)            # personal data of finished tickets kept this long
    throttle_per_minute: int = Field(default=20, ge=0)        # messages and button presses per worker; 0 = off
    max_text_chars: int = Field(default=2000, ge=100)         # longer worker messages are refused with a note

    log_level: str = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise ValueError("does not look like a bot token (digits, a colon, then 30+ letters/digits/_/-)")
        return SecretStr(token)

    @field_validator("staff_chat_id")
    @classmethod
    def _staff_chat_is_group(cls, value: int) -> int:
        if value >= 0:
            raise ValueError("must be a group or supergroup id, which is negative (e.g. -1001234567890)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s;]+", value.strip()) if p]
            for part in parts:
                if not part.isdigit():
                    raise ValueError(f"{part!r} is not a user id (positive integers, comma separated)")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("sla_urgent_realert_minutes")
    @classmethod
    def _realert_not_flooding(cls, value: float) -> float:
        if 0 < value < 1:
            raise ValueError("re-alerting more often than once a minute would flood the staff group (0 = off)")
        return value

    @field_validator("sla_digest_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        from bot.scheduler.rules import RulesError, parse_digest_time

        try:
            parse_digest_time(value)
        except RulesError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_https(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be a full URL (Telegram only calls https:// webhooks)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be a URL such as http://127.0.0.1:8081")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not (self.webhook_secret and self.webhook_secret.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL (Telegram sends it back in a header we check)")
        if self.webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", self.webhook_secret.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return self

    @property
    def mode(self) -> Literal["polling", "webhook"]:
        return "webhook" if self.webhook_url else "polling"

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids


_HINTS = {
    "bot_token": "set BOT_TOKEN to the token @BotFather gave you",
    "staff_chat_id": "set STAFF_CHAT_ID to the staff supergroup's id (negative; add the bot there and read it from getUpdates)",
    "admin_ids": "ADMIN_IDS is a comma separated list of Telegram user ids",
}


def describe_errors(exc: ValidationError) -> str:
    """One readable line per problem: the environment variable, what is wrong, how to fix it."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        variable = field.upper() if field else "settings"
        reason = "missing" if error["type"] == "missing" else str(error["msg"]).removeprefix("Value error, ")
        hint = _HINTS.get(field, "")
        lines.append(f"  {variable}: {reason}" + (f" — {hint}" if hint else ""))
    return "\n".join(lines)


def load_settings(env_file: str | Path | None = ".env", **overrides: object) -> Settings:
    """Read the settings or raise `ConfigError` naming each bad variable (no network is touched)."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError("configuration error / 配置有误:\n" + describe_errors(exc)) from None
