"""Escaping and splitting: what the worker typed comes back as typed; long texts split cleanly."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.render import TELEGRAM_LIMIT, quote, split_html, split_plain, tg_len, user_link

TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def balanced(part: str) -> bool:
    stack = []
    for closing, name in TAG.findall(part):
        if closing:
            if not stack or stack[-1] != name:
                return False
            stack.pop()
        else:
            stack.append(name)
    return not stack


def visible(part: str) -> str:
    return html.unescape(TAG.sub("", part))


def test_quote_escapes_html_and_leaves_markdown_alone():
    assert quote("<b>老板</b> & *欠薪*") == "&lt;b&gt;老板&lt;/b&gt; &amp; *欠薪*"
    assert quote(3200) == "3200"


def test_user_link_escapes_the_label():
    assert user_link(42, "<王>") == '<a href="tg://user?id=42">&lt;王&gt;</a>'


def test_short_text_is_one_part():
    assert split_html("你好") == ["你好"]
    assert split_html("") == []


def test_long_lines_split_at_line_boundaries():
    lines = [f"第{i}条：工资按月足额支付。" for i in range(800)]
    parts = split_plain("\n".join(lines))
    assert len(parts) > 1
    assert all(tg_len(p) <= TELEGRAM_LIMIT for p in parts)
    # every part holds whole lines only
    assert [line for p in parts for line in p.split("\n")] == lines


def test_open_tags_are_closed_and_reopened_across_a_split():
    text = '<b>开头</b>\n<a href="https://12351.org.cn?a=1&amp;b=2">' + "长链接文字" * 1200 + "</a>\n结尾"
    parts = split_html(text, limit=1000)
    assert len(parts) > 2
    for p in parts:
        assert tg_len(p) <= 1000
        assert balanced(p), p[:80]
    middle = [p for p in parts if "长链接" in p]
    assert all(p.startswith('<a href="https://12351.org.cn?a=1&amp;b=2">') or p.startswith("<b>") for p in middle[1:])
    assert "".join(visible(p) for p in parts).replace("\n", "") == visible(text).replace("\n", "")


def test_one_huge_chinese_line_is_cut_between_sentences_or_characters():
    text = quote("我在站点干了三个月，老板说<押金>不退。" * 350)
    parts = split_html(text)
    assert all(tg_len(p) <= TELEGRAM_LIMIT for p in parts)
    assert "".join(parts) == text
    assert all(not re.search(r"&[a-z#0-9]*$", p) for p in parts), "an entity was cut in half"


def test_emoji_count_as_two_units():
    text = "😀" * 3000
    parts = split_html(text)
    assert len(parts) == 2
    assert all(tg_len(p) <= TELEGRAM_LIMIT for p in parts)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("工资<>&*_`[]\n 拖欠😀abc。")), max_size=300), max_size=40),
       st.integers(min_value=60, max_value=600))
def test_any_escaped_text_splits_into_valid_parts(chunks, limit):
    plain = "".join(chunks)
    parts = split_plain(plain, limit)
    for part in parts:
        assert tg_len(part) <= limit
        assert "<" not in part and ">" not in part
        assert not re.search(r"&[a-z#0-9]*$", part)
    # Only blanks and line breaks at the cuts may go; every other character stays, in order.
    assert re.sub(r"\s", "", "".join(html.unescape(p) for p in parts)) == re.sub(r"\s", "", plain)
