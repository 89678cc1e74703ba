"""Loading the hand-written templates under ``corpus_pipeline/demo/templates/`` and filling them.

Text templates (``*.txt``) hold one entry per line; ``#`` lines are comments.  Placeholders
``{phone}`` ``{qq}`` ``{wechat}`` ``{url}`` ``{price}`` ``{num}`` ``{discount}`` ``{word}`` ``{city}`` are filled
by :func:`fill` with values drawn from the caller's ``random.Random`` -- every phone number, QQ
number, WeChat id and URL in the demo corpus is random and made up.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SYLLABLES = ("hao", "ying", "cai", "fu", "jin", "xin", "da", "le", "mei", "tian", "bao", "kuai", "you", "shun")


def _template_text(name: str) -> str:
    return resources.files("corpus_eval.demo").joinpath("templates", name).read_text(encoding="utf-8")


@cache
def lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of ``templates/<name>``."""
    out = []
    for line in _template_text(name).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


@cache
def data(name: str) -> Any:
    """The parsed JSON file ``templates/<name>``."""
    return json.loads(_template_text(name))


def ad_keywords() -> tuple[str, ...]:
    return lines("ad_keywords.txt")


@lru_cache(maxsize=1)
def _ad_pattern() -> re.Pattern[str]:
    phrases = sorted(ad_keywords(), key=lambda k: (-len(k), k))
    return re.compile("|".join(re.escape(k) for k in phrases))


def count_ad_keywords(text: str) -> int:
    """Occurrences of the demo's ad phrases in ``text`` (case-sensitive, non-overlapping, longest first)."""
    return len(_ad_pattern().findall(text))


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def qq(rng: random.Random) -> str:
    return str(rng.randint(10_000_000, 3_999_999_999))


def wechat(rng: random.Random) -> str:
    return rng.choice(("kf", "vip", "wx", "dd", "xy", "hao")) + rng.choice(_SYLLABLES) + str(rng.randint(100, 99_999))


def url(rng: random.Random) -> str:
    return f"www.{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}{rng.randint(1, 999)}.com"


def fill(template: str, rng: random.Random) -> str:
    """Fill the placeholders of ``template`` left to right with random made-up values."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "phone":
            return phone(rng)
        if key == "qq":
            return qq(rng)
        if key == "wechat":
            return wechat(rng)
        if key == "url":
            return url(rng)
        if key == "price":
            return rng.choice(("9.9", "19.9", "29", "39.8", "99", "168", "199", "398"))
        if key == "discount":
            return str(rng.randint(1, 9))
        if key == "num":
            return str(rng.choice((2, 3, 5, 8, 10, 20, 50, 88, 100, 200, 500)))
        if key in ("word", "city"):
            return rng.choice(data("fill.json")[key])
        return match.group(0)

    return _PLACEHOLDER.sub(one, template)
