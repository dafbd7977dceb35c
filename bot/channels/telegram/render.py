"""Text for Telegram: HTML escaping and splitting at the 4 096-character limit.

The bot sends with parse_mode HTML (set once on the Bot). Every dynamic string goes through
`quote` so a worker's `<b>` or `*bold*` comes back exactly as typed. Long texts are split at line
boundaries; a tag left open at a split is closed at the end of the part and opened again at the
start of the next, so every part is valid HTML on its own.
"""

from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096
# Telegram counts UTF-16 code units; we measure the HTML source, which is never shorter than
# the text Telegram counts, so a part that fits here fits there.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
_SPECIAL = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|\n")


def quote(value: object) -> str:
    """Escape anything for Telegram HTML (what `html_decoration.quote` does, for any value)."""
    return html.escape(str(value), quote=False)


def quote_attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def bold(value: object) -> str:
    return f"<b>{quote(value)}</b>"


def user_link(user_id: int, label: str) -> str:
    return f'<a href="tg://user?id={int(user_id)}">{quote(label)}</a>'


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML into parts of at most `limit`, never inside a tag or an entity.

    Cuts at the last line break that fits, else after the last sentence end (。！？.!?), else
    between words or, in a long run of Chinese, between characters. Tags open at a cut are
    closed at the end of the part and re-opened (with their attributes) at the start of the next.
    """
    if tg_len(text) <= limit:
        return [text] if text.strip() else []
    piece_max = max(1, limit // 4)
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []         # (name, opening tag as written)
    current: list[str] = []
    prefix = 0                                    # tokens at the start of `current` that re-open tags
    breaks: dict[str, tuple[int, list[tuple[str, str]]]] = {}   # "line"/"sentence" -> (index, tags open there)

    def emit(tokens: list[str], tags: list[tuple[str, str]]) -> None:
        body = "".join(tokens).rstrip("\n")
        if _visible(body).strip():
            parts.append(body + _closing(tags))

    def restart(tail: list[str], tags: list[tuple[str, str]]) -> None:
        nonlocal current, prefix
        current = ([_reopening(tags)] if tags else []) + tail
        prefix = 1 if tags else 0
        breaks.clear()

    for kind, token in _tokenize(text):
        for piece in _pieces(token, piece_max) if kind == "text" else [token]:
            after = _tags_after(open_tags, kind, piece)
            if _size(current) + tg_len(piece) + tg_len(_closing(after)) > limit and len(current) > prefix:
                cut = breaks.get("line") or breaks.get("sentence")
                if cut and cut[0] > prefix:
                    index, tags_at_cut = cut
                    emit(current[:index], tags_at_cut)
                    restart(current[index:], tags_at_cut)
                if _size(current) + tg_len(piece) + tg_len(_closing(after)) > limit and len(current) > prefix:
                    emit(current, open_tags)
                    restart([], open_tags)
            current.append(piece)
            open_tags = after
            if kind == "newline":
                breaks["line"] = (len(current), list(open_tags))
            elif kind == "text" and piece.rstrip()[-1:] in _SENTENCE_ENDS:
                breaks["sentence"] = (len(current), list(open_tags))
    emit(current, open_tags)
    return parts


def split_plain(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Escape plain text and split it: the usual path for the dialogue's replies."""
    return split_html(quote(text), limit)


_SENTENCE_ENDS = set("。！？；.!?;")


def _size(tokens: list[str]) -> int:
    return sum(tg_len(t) for t in tokens)


def _visible(body: str) -> str:
    return html.unescape(_TAG.sub("", body))


def _closing(tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(tags))


def _reopening(tags: list[tuple[str, str]]) -> str:
    return "".join(opening for _, opening in tags)


def _tags_after(tags: list[tuple[str, str]], kind: str, token: str) -> list[tuple[str, str]]:
    if kind == "open":
        return [*tags, (_tag_name(token), token)]
    if kind == "close":
        name = _tag_name(token)
        for i in range(len(tags) - 1, -1, -1):
            if tags[i][0] == name:
                return tags[:i] + tags[i + 1:]
    return tags


def _pieces(run: str, most: int) -> list[str]:
    """A text run as pieces of at most `most` UTF-16 units, cut after sentence ends where possible."""
    pieces: list[str] = []
    for part in re.findall(r".*?(?:[。！？；]+\s*|[.!?;]+\s+|$)", run):
        while tg_len(part) > most:
            head = _take_units(part, most)
            pieces.append(head)
            part = part[len(head):]
        if part:
            pieces.append(part)
    return pieces or [run]


def _tag_name(token: str) -> str:
    match = _TAG.match(token)
    return match.group(2).lower() if match else ""


def _tokenize(text: str) -> list[tuple[str, str]]:
    """Tags, entities, newlines and runs of text (a text run holds no newline, tag or entity)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    for match in _SPECIAL.finditer(text):
        if match.start() > pos:
            tokens.extend(("text", w) for w in re.findall(r"\S+\s*|\s+", text[pos:match.start()]))
        token = match.group(0)
        if token == "\n":
            tokens.append(("newline", token))
        elif token.startswith("&"):
            tokens.append(("entity", token))
        else:
            tag = _TAG.match(token)
            if tag is None or token.endswith("/>"):
                tokens.append(("entity", token))
            elif tag.group(1):
                tokens.append(("close", token))
            else:
                tokens.append(("open", token))
        pos = match.end()
    if pos < len(text):
        tokens.extend(("text", w) for w in re.findall(r"\S+\s*|\s+", text[pos:]))
    return tokens


def _take_units(text: str, units: int) -> str:
    """The longest prefix of `text` whose UTF-16 length is at most `units` (at least one character)."""
    taken = 0
    for i, ch in enumerate(text):
        taken += 2 if ord(ch) > 0xFFFF else 1
        if taken > units:
            return text[:i] or text[:1]
    return text
