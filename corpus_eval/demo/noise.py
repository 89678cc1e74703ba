"""Noise injected into demo documents, and the realistic edits that make near duplicates.

All functions take the caller's ``random.Random`` and return new lists (inputs are not mutated).
"""

from __future__ import annotations

import random
import re

from . import assets
from .snownlp_text import cjk_count

#: Kinds of special symbols put into article bodies (the keys of ``truth["symbols"]``).
SYMBOL_KINDS = ("box_drawing", "decorative", "emoji", "fullwidth", "zero_width")
EMOJI = ("😀", "😂", "👍", "🔥", "🎉", "📢", "👉", "💰", "✨", "🙏")
DECORATIVE = ("★", "☆", "◆", "◇", "■", "□", "●", "○", "※", "→", "▲", "♦")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060")
BOX_DRAWING = "─━│┃┌┐└┘├┤┬┴┼═║╔╗╚╝"

#: Edits a near duplicate may carry (the values of ``truth["edits"]``).
NEAR_EDITS = ("delete_sentence", "swap_sentences", "repunctuate", "extra_nav_line", "extra_ad_line", "script_flip")

_SENTENCE = re.compile(r".+?(?:[。！？!?]+[”’」』）)]*|$)")
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]+")
_REPUNCT = {"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}


_SYMBOL_SETS = {
    "box_drawing": frozenset(BOX_DRAWING),
    "decorative": frozenset(DECORATIVE),
    "emoji": frozenset(EMOJI),
    "fullwidth": frozenset(chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)),
    "zero_width": frozenset(ZERO_WIDTH),
}


def count_symbols(text: str) -> dict[str, int]:
    """How many characters of each :data:`SYMBOL_KINDS` kind ``text`` holds (kinds with none left out)."""
    counts: dict[str, int] = {}
    for kind in SYMBOL_KINDS:
        chars = _SYMBOL_SETS[kind]
        n = sum(1 for c in text if c in chars)
        if n:
            counts[kind] = n
    return counts


def split_sentences(paragraph: str) -> list[str]:
    """Split after 。！？ (and any closing quotes or brackets right after them)."""
    return [s for s in _SENTENCE.findall(paragraph) if s]


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def inject_symbols(rng: random.Random, paragraphs: list[str], kinds: list[str]) -> tuple[list[str], dict[str, int]]:
    """Put special symbols of the given kinds into the body; returns the body and, per kind, how many
    symbol characters were added (for ``fullwidth``: how many ASCII characters were widened)."""
    paras = list(paragraphs)
    counts: dict[str, int] = {}
    for kind in sorted(kinds):
        n = 0
        if kind == "fullwidth":
            with_ascii = [i for i, p in enumerate(paras) if _ASCII_ALNUM.search(p)]
            if with_ascii:
                for i in rng.sample(with_ascii, min(len(with_ascii), rng.randint(1, 2))):
                    n += sum(len(m) for m in _ASCII_ALNUM.findall(paras[i]))
                    paras[i] = to_fullwidth(paras[i])
            else:
                tag = to_fullwidth(rng.choice(("NEWS", "TOP10", "No.1", "HOT", "VIP")))
                i = rng.randrange(len(paras))
                paras[i] = f"【{tag}】{paras[i]}"
                n = len(tag)
        elif kind == "emoji":
            for i in rng.sample(range(len(paras)), min(len(paras), rng.randint(1, 3))):
                em = "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
                paras[i] = em + paras[i] if rng.random() < 0.4 else paras[i] + em
                n += len(em)
        elif kind == "decorative":
            for i in rng.sample(range(len(paras)), min(len(paras), rng.randint(1, 3))):
                sym = rng.choice(DECORATIVE) * rng.randint(1, 3)
                paras[i] = sym + rng.choice(("", " ")) + paras[i]
                n += len(sym)
        elif kind == "zero_width":
            for _ in range(rng.randint(3, 12)):
                i = rng.randrange(len(paras))
                p = paras[i]
                if len(p) < 2:
                    continue
                pos = rng.randint(1, len(p) - 1)
                paras[i] = p[:pos] + rng.choice(ZERO_WIDTH) + p[pos:]
                n += 1
        elif kind == "box_drawing":
            line = rng.choice(BOX_DRAWING[:2] + "═") * rng.randint(12, 30)
            pos = rng.randint(1, len(paras)) if len(paras) > 1 else 1
            paras.insert(pos, line)
            n = len(line)
        else:
            raise ValueError(f"unknown symbol kind {kind!r}")
        if n:
            counts[kind] = n
    return paras, counts


def duplicate_paragraph(rng: random.Random, paragraphs: list[str]) -> tuple[list[str], int]:
    """Repeat one paragraph with 15+ Chinese characters (right after itself or further down);
    returns the body and the number of extra copies (0 if no paragraph fits)."""
    candidates = [i for i, p in enumerate(paragraphs) if cjk_count(p) >= 15]
    if not candidates:
        return list(paragraphs), 0
    i = rng.choice(candidates)
    paras = list(paragraphs)
    pos = i + 1 if rng.random() < 0.5 else rng.randint(i + 1, len(paras))
    paras.insert(pos, paragraphs[i])
    return paras, 1


def ad_line(rng: random.Random) -> str:
    return assets.fill(rng.choice(assets.lines("ad_lines.txt")), rng)


def insert_ad_lines(rng: random.Random, paragraphs: list[str], count: int) -> list[str]:
    """Insert ``count`` isolated advertisement lines between paragraphs (never first, never adjacent)."""
    paras = list(paragraphs)
    slots = list(range(1, len(paras) + 1))
    chosen = sorted(rng.sample(slots, min(count, len(slots))), reverse=True)
    for pos in chosen:  # from the end, so earlier positions stay valid and lines stay apart
        line = ad_line(rng)
        while line in paras:  # every ad line is distinct from every other line
            line = ad_line(rng)
        paras.insert(pos, line)
    return paras


def _sentence_slots(paragraphs: list[str]) -> list[tuple[int, list[str]]]:
    return [(i, split_sentences(p)) for i, p in enumerate(paragraphs)]


def apply_edit(rng: random.Random, paragraphs: list[str], edit: str) -> tuple[list[str], bool]:
    """Apply one near-duplicate edit (other than ``script_flip``); returns the body and whether it changed."""
    paras = list(paragraphs)
    if edit == "delete_sentence":
        # a sentence of at most 12% of the text, so that the copy stays a *near* duplicate
        limit = 0.12 * sum(len(p) for p in paras)
        slots = _sentence_slots(paras)
        spots = [
            (i, k)
            for i, sents in slots
            for k, s in enumerate(sents)
            if len(s) <= limit and (len(sents) >= 2 or len(paras) >= 3)
        ]
        if not spots:
            return paras, False
        i, k = rng.choice(spots)
        sents = slots[i][1]
        if len(sents) >= 2:
            del sents[k]
            paras[i] = "".join(sents)
        else:
            del paras[i]
        return paras, True
    if edit == "swap_sentences":
        multi = [(i, s) for i, s in _sentence_slots(paras) if len(s) >= 2]
        rng.shuffle(multi)
        for i, sents in multi:
            pairs = [k for k in range(len(sents) - 1) if sents[k] != sents[k + 1]]
            if pairs:
                k = rng.choice(pairs)
                sents[k], sents[k + 1] = sents[k + 1], sents[k]
                paras[i] = "".join(sents)
                return paras, True
        pairs = [k for k in range(len(paras) - 1) if paras[k] != paras[k + 1]]
        if not pairs:
            return paras, False
        k = rng.choice(pairs)
        paras[k], paras[k + 1] = paras[k + 1], paras[k]
        return paras, True
    if edit == "repunctuate":
        spots = [(i, j) for i, p in enumerate(paras) for j, c in enumerate(p) if c in _REPUNCT]
        if not spots:
            return paras, False
        chosen = rng.sample(spots, max(1, len(spots) // 6))
        by_para: dict[int, list[int]] = {}
        for i, j in chosen:
            by_para.setdefault(i, []).append(j)
        for i in sorted(by_para):
            chars = list(paras[i])
            for j in by_para[i]:
                chars[j] = _REPUNCT[chars[j]]
            paras[i] = "".join(chars)
        return paras, True
    if edit == "extra_nav_line":
        line = rng.choice(assets.data("boilerplate.json")["extra_nav_lines"])
        if rng.random() < 0.7:
            paras.append(line)
        else:
            paras.insert(0, line)
        return paras, True
    if edit == "extra_ad_line":
        return insert_ad_lines(rng, paras, 1), True
    raise ValueError(f"unknown edit {edit!r}")


def ad_page_text(rng: random.Random) -> tuple[str, list[str], str]:
    """Title, paragraphs and contact line of an advertisement page."""
    title = assets.fill(rng.choice(assets.lines("ad_titles.txt")), rng)
    sentences = list(assets.lines("ad_page.txt"))
    picked = rng.sample(sentences, rng.randint(7, 12))
    paras: list[str] = []
    i = 0
    while i < len(picked):
        k = rng.choice((1, 1, 2))
        paras.append("".join(assets.fill(s, rng) for s in picked[i : i + k]))
        i += k
    contact = f"联系电话：{assets.phone(rng)} QQ：{assets.qq(rng)} 微信：{assets.wechat(rng)}"
    return title, paras, contact


def _english_fill(rng: random.Random, template: str) -> str:
    eng = assets.data("english.json")

    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in eng:
            return rng.choice(eng[key])
        if key == "percent":
            return f"{rng.randint(2, 40)}.{rng.randint(0, 9)}"
        if key == "number":
            return str(rng.choice((12, 45, 128, 256, 300, 512, 750, 1200)))
        if key == "small":
            return str(rng.randint(2, 12))
        if key == "year":
            return str(rng.randint(2025, 2030))
        return m.group(0)

    return re.sub(r"\{(\w+)\}", one, template)


def english_text(rng: random.Random) -> tuple[str, list[tuple[str, str]], str]:
    """Title, blocks (see :func:`pages.english_page`) and variant of a non-Chinese page:
    ``english`` news prose, a ``spec_table`` of products (mostly Latin letters and digits) or a
    software ``changelog``."""
    eng = assets.data("english.json")
    variant = rng.choice(("english", "english", "spec_table", "changelog"))
    sentences = eng["sentences"]
    if variant == "english":
        title = _english_fill(rng, rng.choice(eng["titles"]))
        blocks = [
            ("p", " ".join(_english_fill(rng, t) for t in rng.sample(sentences, rng.randint(2, 4))))
            for _ in range(rng.randint(5, 9))
        ]
    elif variant == "spec_table":
        title = f"{rng.choice(('Laptop', 'Phone', 'Tablet'))} Buyer Guide {rng.randint(2021, 2024)}: Specs and Prices"
        blocks = [("p", _english_fill(rng, rng.choice(sentences)))]
        blocks.append(("row", " | ".join(eng["spec_header"])))
        for model in rng.sample(eng["spec_models"], rng.randint(5, 8)):
            row = [
                model,
                rng.choice(eng["spec_cpu"]),
                f"{rng.choice((8, 16, 32))}GB",
                f"{rng.choice((256, 512, 1024))}GB SSD",
                f'{rng.choice(("13.3", "14.0", "15.6", "6.1", "6.7"))}" {rng.choice(("1920x1080", "2560x1600", "2796x1290"))}',
                f"{rng.randint(150, 2200) / 1000:.2f} kg",
                f"${rng.randint(199, 2499)}",
            ]
            blocks.append(("row", " | ".join(row)))
        blocks.append(("p", _english_fill(rng, rng.choice(sentences))))
    else:
        major, minor, patch = rng.randint(1, 9), rng.randint(0, 20), rng.randint(0, 9)
        title = f"Release notes: version {major}.{minor}.{patch}"
        blocks = [
            (
                "p",
                f"Version {major}.{minor}.{patch} was released on 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}. "
                + _english_fill(rng, rng.choice(sentences)),
            )
        ]
        for _ in range(rng.randint(10, 18)):
            blocks.append(
                (
                    "li",
                    f"{rng.choice(eng['changelog_verbs'])} {rng.choice(eng['changelog_objects'])} (#{rng.randint(100, 9999)})",
                )
            )
        blocks.append(("p", "Checksums: sha256 " + "".join(rng.choice("0123456789abcdef") for _ in range(64))))
    return title, blocks, variant
