"""Look-alike disguises that spammers put on brands, contacts and keywords (tables in :mod:`.eval_lists`).

Each function takes the caller's ``random.Random`` and returns the disguised string; :func:`disguise` picks one
method and returns ``(text, method)`` so the document's truth can record which disguises it carries:

* ``fullwidth``: ASCII letters and digits to full-width (``ＡＧ真人``);
* ``lookalike``: Latin letters to Cyrillic/Greek look-alikes (``bеt365`` with a Cyrillic е);
* ``separators``: a separator between characters (``葡丶京``, ``威☆尼☆斯``, ``澳 门``);
* ``variant``: radical/variant/near-sound spelling of a known word (菠菜 for 博彩, 威信/徾信/加薇 for 微信);
* ``digits``: digits as circled, Han or formal Han numerals (for contact numbers).
"""

from __future__ import annotations

import random

from . import eval_lists as L

METHODS = ("fullwidth", "lookalike", "separators", "variant", "digits")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def lookalike(rng: random.Random, text: str) -> str:
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if c in L.LATIN_LOOKALIKES]
    for i in rng.sample(spots, max(1, len(spots) // 2)) if spots else ():
        chars[i] = rng.choice(L.LATIN_LOOKALIKES[chars[i]])
    return "".join(chars)


def separators(rng: random.Random, text: str) -> str:
    sep = rng.choice(L.SEPARATORS)
    return sep.join(text) if len(text) <= 6 else sep.join(text[i : i + 2] for i in range(0, len(text), 2))


def variant(rng: random.Random, text: str) -> str:
    for word in sorted(L.VARIANT_SPELLINGS, key=len, reverse=True):
        if word in text:
            text = text.replace(word, rng.choice(L.VARIANT_SPELLINGS[word]))
    return text


def digits(rng: random.Random, text: str) -> str:
    table = rng.choice((L.CIRCLED_DIGITS, L.HAN_DIGITS, L.FORMAL_DIGITS))
    return "".join(table[int(c)] if c.isdigit() and c.isascii() else c for c in text)


def applicable(text: str) -> list[str]:
    """The methods that change ``text``."""
    out = []
    if any(c.isascii() and c.isalnum() for c in text):
        out.append("fullwidth")
    if any(c in L.LATIN_LOOKALIKES for c in text):
        out.append("lookalike")
    if len(text) >= 2:
        out.append("separators")
    if any(word in text for word in L.VARIANT_SPELLINGS):
        out.append("variant")
    if any(c.isdigit() and c.isascii() for c in text):
        out.append("digits")
    return out


def disguise(rng: random.Random, text: str, methods: tuple[str, ...] = METHODS) -> tuple[str, str | None]:
    """``text`` disguised by one applicable method of ``methods`` (``(text, None)`` when none applies)."""
    usable = [m for m in applicable(text) if m in methods]
    if not usable:
        return text, None
    method = rng.choice(usable)
    if method == "fullwidth":
        return fullwidth(text), method
    if method == "lookalike":
        return lookalike(rng, text), method
    if method == "separators":
        return separators(rng, text), method
    if method == "variant":
        return variant(rng, text), method
    return digits(rng, text), method
