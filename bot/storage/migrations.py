"""The database schema as an ordered list of migrations, applied at start by `Database.open`.

Rules: never edit a migration once released — add a new one. Each migration runs in one
transaction together with the `user_version` bump, so a failure leaves the previous version intact.
The schema version is SQLite's `PRAGMA user_version`; `APPLICATION_ID` marks the file as ours.

Personal data (erasable per worker, see `tickets.erased_at`) lives only in columns named here:
- tickets: `user_id`, `pii` (JSON: summary, employer, district, phone, evidence, source_text)
- events: `actor_id`/`actor_name` of worker actors, `note` (free text), `data` of worker_message/evidence events
- outbox: `recipient`, `text`, `meta` (messages quote intake details)
- conversations: the whole row (owned by the dialogue)
Everything else (topic, platform, city, amounts, head count, injury, times) is kept for anonymous counts.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLICATION_ID = 0x67795971  # "gyYq": marks a gongyou database file


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str                 # a script; must not contain BEGIN/COMMIT (the runner wraps it)


_V1 = """
-- The dialogue's conversation state (owned by bot/dialogue; one row per worker).
CREATE TABLE conversations (
    user_key   TEXT PRIMARY KEY,            -- "telegram:123"
    state      TEXT NOT NULL,               -- JSON
    updated_at TEXT NOT NULL
);

-- Per-local-day counters for ticket codes GY-YYYYMMDD-NNNN.
CREATE TABLE code_counters (
    day  TEXT PRIMARY KEY,                  -- YYYYMMDD, Asia/Shanghai
    last INTEGER NOT NULL
);

-- Mediation tickets. The row is derived state; `events` is the history.
CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    channel           TEXT NOT NULL,
    user_id           TEXT NOT NULL,        -- PII
    kind              TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN
                          ('new','assigned','mediating','waiting','resolved','transferred','closed')),
    priority          TEXT NOT NULL CHECK (priority IN ('urgent','high','normal')),
    priority_rank     INTEGER NOT NULL,     -- 0 urgent, 1 high, 2 normal: queue order
    topic             TEXT NOT NULL,
    platform          TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    amount            REAL,                 -- yuan involved
    headcount         INTEGER,
    injury            INTEGER NOT NULL DEFAULT 0,
    pii               TEXT NOT NULL DEFAULT '{}',   -- PII, JSON
    consent_version   TEXT,
    consent_at        TEXT,
    assignee          TEXT,                 -- staff actor id
    assignee_name     TEXT,
    staff_thread      TEXT UNIQUE,          -- channel-specific staff thread (forum topic, alert message)
    transfer_to       TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,        -- ISO 8601 UTC, fixed width: sorts as text
    updated_at        TEXT NOT NULL,
    first_response_at TEXT,
    first_response_s  REAL,                 -- seconds from created to first staff response
    resolved_at       TEXT,
    resolution_s      REAL,                 -- seconds from created to resolved
    final_at          TEXT,                 -- when it entered resolved/transferred/closed
    waiting_since     TEXT,                 -- set while state = waiting (SLA clocks pause)
    waiting_total_s   REAL NOT NULL DEFAULT 0,
    amount_recovered  REAL,
    erased_at         TEXT                  -- personal data erased at
);
-- Open tickets by priority then age (the staff queue).
CREATE INDEX tickets_queue ON tickets (priority_rank, created_at)
    WHERE state IN ('new','assigned','mediating','waiting');
CREATE INDEX tickets_user ON tickets (channel, user_id, id);
CREATE INDEX tickets_state_topic ON tickets (state, topic, amount_recovered);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_first_response ON tickets (first_response_s) WHERE first_response_s IS NOT NULL;
CREATE INDEX tickets_resolution ON tickets (resolution_s) WHERE resolution_s IS NOT NULL;

-- Append-only history: who, when, what, note. Only erasure of personal data may touch a row.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}',     -- JSON
    dedupe_key  TEXT UNIQUE,                    -- "at most once" events (reminders)
    erased_at   TEXT
);
CREATE INDEX events_ticket ON events (ticket_id, id);

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: delete refused');
END;

-- The one allowed update: erasing personal data once (note blanked, data kept or blanked, worker id/name blanked).
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (
    OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND NEW.id = OLD.id AND NEW.ticket_id = OLD.ticket_id AND NEW.at = OLD.at
    AND NEW.actor_role = OLD.actor_role AND NEW.type = OLD.type
    AND NEW.dedupe_key IS OLD.dedupe_key
    AND NEW.note = '' AND (NEW.data = OLD.data OR NEW.data = '{}')
    AND (NEW.actor_id = OLD.actor_id OR NEW.actor_id = 'erased')
    AND (NEW.actor_name = OLD.actor_name OR NEW.actor_name = '')
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: update refused');
END;

-- Durable outbox: business logic writes here in the same transaction as the change; channels deliver.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,                  -- "telegram", "console", … or "staff"
    recipient   TEXT NOT NULL,                  -- PII; "" for the staff group
    text        TEXT NOT NULL,                  -- PII possible
    buttons     TEXT NOT NULL DEFAULT '[]',     -- JSON
    ticket_id   INTEGER REFERENCES tickets (id),
    kind        TEXT NOT NULL,
    meta        TEXT NOT NULL DEFAULT '{}',     -- JSON
    dedupe_key  TEXT UNIQUE,                    -- "at most once" messages
    created_at  TEXT NOT NULL,
    due_at      TEXT NOT NULL,                  -- created_at, or the retry time after a failure
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    sent_meta   TEXT,                           -- JSON from the channel (e.g. Telegram message id)
    dropped_at  TEXT                            -- given up (e.g. the worker blocked the bot)
);
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX outbox_pending_recipient ON outbox (channel, recipient, id) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX outbox_ticket ON outbox (ticket_id);
"""

# Report indexes that keep `stats` under 50 ms at 100 000 tickets, with or without a `since` filter:
# one covering index read in GROUP BY order (the created_at filter is checked inside the index), and
# one per median, read in value order (the median is an OFFSET into it, never a sort).
_V2 = """
DROP INDEX tickets_state_topic;
DROP INDEX tickets_first_response;
DROP INDEX tickets_resolution;
CREATE INDEX tickets_report ON tickets
    (state, topic, priority, created_at, amount_recovered, first_response_s, resolution_s);
CREATE INDEX tickets_first_response ON tickets (first_response_s, created_at) WHERE first_response_s IS NOT NULL;
CREATE INDEX tickets_resolution ON tickets (resolution_s, created_at) WHERE resolution_s IS NOT NULL;
"""

# The follow-up scheduler (bot/scheduler): tickets changed since its last look, resolved tickets
# awaiting their satisfaction survey, and the survey answers counted by /stats.
_V3 = """
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_resolved_at ON tickets (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX events_survey ON events (at) WHERE type = 'survey';
"""

# Running totals per created month, kept by triggers so no code path can forget them: `stats`
# reads a few thousand rows instead of 100 000 (whole months), plus the tickets of a partial month.
# And the time of the last staff action the worker was told of, for SLA "update interval" reminders.
_COUNT_COLUMNS = "month, state, topic, priority, n, recovered, responded, resolved"


def _count_row(ref: str, sign: int) -> str:
    return (
        f"substr({ref}.created_at, 1, 7), {ref}.state, {ref}.topic, {ref}.priority, {sign}, "
        f"{sign} * coalesce({ref}.amount_recovered, 0), {sign} * ({ref}.first_response_s IS NOT NULL), "
        f"{sign} * ({ref}.resolution_s IS NOT NULL)"
    )


def _upsert_count(ref: str, sign: int) -> str:
    return (
        f"INSERT INTO ticket_counts ({_COUNT_COLUMNS}) VALUES ({_count_row(ref, sign)}) "
        "ON CONFLICT (state, topic, priority, month) DO UPDATE SET n = n + excluded.n, "
        "recovered = recovered + excluded.recovered, responded = responded + excluded.responded, "
        "resolved = resolved + excluded.resolved;"
    )


_V4 = f"""
CREATE TABLE ticket_counts (
    month     TEXT NOT NULL,                 -- YYYY-MM of created_at (UTC)
    state     TEXT NOT NULL,
    topic     TEXT NOT NULL,
    priority  TEXT NOT NULL,
    n         INTEGER NOT NULL,
    recovered REAL NOT NULL,                 -- sum of amount_recovered
    responded INTEGER NOT NULL,              -- tickets with a first response
    resolved  INTEGER NOT NULL,              -- tickets with a resolution time
    PRIMARY KEY (state, topic, priority, month)    -- the GROUP BY order of `stats`: no sort
) WITHOUT ROWID;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets
BEGIN
    {_upsert_count("NEW", 1)}
END;
CREATE TRIGGER ticket_counts_update
AFTER UPDATE OF created_at, state, topic, priority, amount_recovered, first_response_s, resolution_s ON tickets
BEGIN
    {_upsert_count("OLD", -1)}
    {_upsert_count("NEW", 1)}
END;
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets
BEGIN
    {_upsert_count("OLD", -1)}
END;

INSERT INTO ticket_counts ({_COUNT_COLUMNS})
SELECT substr(created_at, 1, 7), state, topic, priority, count(*), total(amount_recovered),
       count(first_response_s), count(resolution_s)
FROM tickets GROUP BY 1, 2, 3, 4;

ALTER TABLE tickets ADD COLUMN last_update_at TEXT;   -- last worker-visible staff action
UPDATE tickets SET last_update_at = (
    SELECT max(e.at) FROM events AS e
    WHERE e.ticket_id = tickets.id AND e.actor_role = 'staff'
      AND e.type IN ('assigned', 'staff_reply', 'state', 'reopened'));
"""

_V5 = """
ALTER TABLE tickets ADD COLUMN form_key TEXT;   -- the intake form that filed it: a repeated submit files nothing new
CREATE UNIQUE INDEX tickets_form_key ON tickets (form_key) WHERE form_key IS NOT NULL;
-- the daily retention purge looks for finished tickets whose personal data is still there
CREATE INDEX tickets_purge ON tickets (final_at) WHERE final_at IS NOT NULL AND erased_at IS NULL;
"""

_V6 = """
-- Telegram updates received by long polling and not yet handled. A batch is written here before
-- Telegram is told (by the next getUpdates offset) that it arrived, and a row is deleted once its
-- update was handled: a crash in between replays it at the next start instead of losing it.
CREATE TABLE telegram_inbox (
    update_id   INTEGER PRIMARY KEY,
    body        TEXT NOT NULL,                -- the update as Telegram sent it (JSON; personal data, kept seconds)
    received_at TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0    -- starts after a restart: an update that kills the bot is dropped after 3
);
-- The highest update id ever written to the inbox: the next getUpdates offset, so an update already
-- handled is not handled again when Telegram re-sends it after a restart.
CREATE TABLE telegram_offset (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_update_id INTEGER NOT NULL
);
"""

_V7 = """
-- 有用 / 没用 presses on knowledge-base answers, counted per entry and day. Anonymous by design:
-- no worker id, so it is not personal data and survives erasure; staff read it with
-- `gongyou kb feedback` to see which answers need work.
CREATE TABLE answer_feedback (
    faq_id  TEXT NOT NULL,
    day     TEXT NOT NULL,                -- local date, YYYY-MM-DD
    useful  INTEGER NOT NULL DEFAULT 0,
    useless INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (faq_id, day)
) WITHOUT ROWID;
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations, tickets, events, outbox", _V1),
    Migration(2, "report indexes for stats", _V2),
    Migration(3, "follow-up scheduler indexes", _V3),
    Migration(4, "monthly ticket counts kept by triggers; tickets.last_update_at", _V4),
    Migration(5, "tickets.form_key: one ticket per submitted form; retention purge index", _V5),
    Migration(6, "telegram_inbox: long-polling updates kept until handled", _V6),
    Migration(7, "answer_feedback: anonymous 有用/没用 counts per answer and day", _V7),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _check_order() -> None:
    for expected, migration in enumerate(MIGRATIONS, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration #{expected} has version {migration.version}: versions must be 1, 2, 3, …")


_check_order()
