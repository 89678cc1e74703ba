"""Good documents: real text of one source, assembled into page-sized documents but never edited.

What "assembly" may do (and all it does): take one item as it is (news, notices, encyclopedia paragraphs, web text,
e-mails); cut a run of whole paragraphs out of a novel chapter; join several items of one source with newlines
(review pages, comment pages); or frame chat messages as a thread with a nickname (and time) before each message.
The item texts themselves are copied verbatim, so every line of a good document is a line of its carriers or a
frame line of a chat thread (:func:`chat_lines` gives them back).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from . import eval_lists as L
from .sources import Item

#: Thread layouts: ``name：message`` on one line, or a ``name hh:mm`` line above the message.
THREAD_STYLES = ("inline", "header")
_HEADER = re.compile(r"^\S{1,12} \d{2}:\d{2}$")


@dataclass
class Doc:
    """A document under construction, with its provenance (see :mod:`corpus_eval.webeval` for the fields)."""

    text: str
    title: str | None
    label: str
    kind: str
    carrier: str
    carrier_ids: list[str]
    injected_from: list[str] = field(default_factory=list)
    url: str | None = None
    intensity: str | None = None
    hard_negative: bool = False
    injected: list[str] = field(default_factory=list)
    disguise: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def nickname(rng: random.Random) -> str:
    name = rng.choice(L.NICK_PARTS)
    roll = rng.random()
    if roll < 0.3:
        name += str(rng.randint(1, 999))
    elif roll < 0.5:
        name += rng.choice(L.NICK_PARTS)
    return name


def thread_text(rng: random.Random, messages: list[str], style: str | None = None) -> str:
    """Messages as a chat/forum thread: 3-8 participants, one nickname (and, in 30% of threads, a time) per
    message. The same layout frames good chat (tg ham) and chat spam, so it tells nothing about the label."""
    style = style or ("inline" if rng.random() < 0.7 else "header")
    people = list(dict.fromkeys(nickname(rng) for _ in range(rng.randint(3, 8))))
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    lines = []
    for message in messages:
        who = rng.choice(people)
        if style == "inline":
            lines.append(f"{who}：{message}")
        else:
            minute += rng.randint(0, 3)
            hour, minute = (hour + minute // 60) % 24, minute % 60
            lines.append(f"{who} {hour:02d}:{minute:02d}")
            lines.append(message)
    return "\n".join(lines)


def chat_lines(text: str) -> list[str]:
    """The messages of a :func:`thread_text` (frames removed) -- for checking that messages are verbatim."""
    lines = text.split("\n")
    if lines and _HEADER.match(lines[0]):  # header layout: a "name hh:mm" line above each message
        return lines[1::2]
    return [line.partition("：")[2] for line in lines]


def hard_negative(items: list[Item]) -> bool:
    return any("gambling_mention" in i.tags or "gambling_weak" in i.tags for i in items)


def single(item: Item, kind: str) -> Doc:
    """One item as it is."""
    return Doc(
        item.text, item.title, "good", kind, item.source, [item.id], url=item.url, hard_negative=hard_negative([item])
    )


def novel_excerpt(rng: random.Random, item: Item, min_chars: int = 300, max_chars: int = 3000) -> Doc:
    """A run of whole paragraphs of a novel chapter part, about ``min_chars``-``max_chars`` long."""
    paras = item.text.split("\n")
    target = rng.randint(min_chars, max_chars)
    start = rng.randrange(len(paras))
    while start > 0 and sum(len(p) for p in paras[start:]) < target:
        start -= 1
    chosen, size = [], 0
    for para in paras[start:]:
        chosen.append(para)
        size += len(para)
        if size >= target:
            break
    return Doc("\n".join(chosen), item.title, "good", "good:novel", item.source, [item.id])


def group(items: list[Item], kind: str) -> Doc:
    """Several items of one source joined by newlines (a review page, a comment page)."""
    return Doc(
        "\n".join(i.text for i in items),
        None,
        "good",
        kind,
        items[0].source,
        [i.id for i in items],
        hard_negative=hard_negative(items),
    )


def chat(rng: random.Random, items: list[Item]) -> Doc:
    """Chat messages as a thread (kind ``good:chat``)."""
    return Doc(
        thread_text(rng, [i.text for i in items]),
        None,
        "good",
        "good:chat",
        items[0].source,
        [i.id for i in items],
        hard_negative=hard_negative(items),
    )
