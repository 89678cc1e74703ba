"""Junk generators: real carriers spliced with real (or, where named, hand-written) junk material.

Every generator takes the caller's ``random.Random``, an :class:`Injector` (which draws words from the allowed
:class:`~corpus_eval.webeval.vocab.Vocabulary` and records each word's source, its surface form and its disguise),
the real items it works on and an *intensity*: ``light`` (a hard case: a single splice, a short block), ``medium``
or ``heavy``. It returns a :class:`~corpus_eval.webeval.good.Doc` or None when the carrier does not fit (no
organisation name to replace, too few synonyms to spin...), in which case the builder draws another carrier.

Kinds (the patterns of issue 19):

* ``junk:casino_splice``: a real article with a title of casino keywords, brand names spliced into sentences
  (``据{brand}报道，`` / ``【{brand}】`` / after a comma / ``，{brand}{term}。``) and a keyword/link block at the end;
* ``junk:brand_replace``: a real text whose most frequent organisation name (a jieba word ending in 公司, 集团,
  大学, 学院, 医院, 银行 ..., extended left over proper-noun/noun words by jieba's dictionary tags) is replaced by
  a gambling brand everywhere, title included;
* ``junk:spun``: a real article with words swapped for near-synonyms (jieba words found in the hand list
  :data:`~corpus_eval.webeval.eval_lists.SYNONYM_PAIRS`, applied both ways), clauses reordered when heavy, and
  search keywords inserted at sentence boundaries and into the title;
* ``junk:keyword_list``: THUCNews headlines stuffed with a repeated keyword, a keyword cloud, or (no junk
  vocabulary at all) a topic word repeated over headlines of one list;
* ``junk:link_farm``: many URLs from the domain blocklists with anchor text (headlines or junk words);
* ``junk:porn_lure``, ``junk:lottery_ad``: lure/ad lines (real tg spam messages, hand templates filled with real
  words), disguised with look-alike characters; light ones are a short real excerpt under a lure title;
* ``junk:contact_block``: phones, QQ, WeChat, addresses (generated, labels disguised) with real contact lines
  from trec06c spam; ``junk:spec_fragment``: ``key：value`` spec lines (generated and from trec06c spam);
* ``junk:chat_spam``: real tg spam messages as a chat thread (the same layout as ``good:chat``), or one or two as
  a short page; ``junk:email_spam``: a real trec06c spam e-mail as a page.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import lru_cache

from . import eval_lists as L
from .disguise import disguise as disguise_text
from .good import Doc, thread_text
from .sources import Item
from .vocab import Vocabulary

INTENSITIES = ("light", "medium", "heavy")
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]+[”’」』）)]*|[^。！？!?\n]+$")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TITLE_SEPS = ("_", "-", "|", "，", " ", "、", "——", "_")
ORG_SUFFIXES = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "集团",
    "大学",
    "学院",
    "医院",
    "银行",
    "研究院",
    "研究所",
    "协会",
    "中学",
    "小学",
)
_ORG_SUFFIX = re.compile("|".join(ORG_SUFFIXES))
_PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nz", "nt", "j", "eng", "nrfg", None})  # None: not in the dictionary
_NOUN_TAGS = _PROPER_TAGS | {"n", "vn", "an", "ng"}


class Injector:
    """Draws junk material for one document and records sources, surface forms and disguises."""

    def __init__(self, rng: random.Random, vocab: Vocabulary):
        self.rng, self.vocab = rng, vocab
        self.hand = "eval_phrases" in vocab.sources
        self.sources: list[str] = []
        self.surfaces: list[str] = []
        self.disguises: list[str] = []
        self._sticky: dict[str, str] = {}

    def mark(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def can(self, *categories: str) -> bool:
        return all(self.vocab.has(c) for c in categories)

    def _surface(self, text: str, disguise_p: float) -> str:
        if disguise_p and self.rng.random() < disguise_p:
            text, method = disguise_text(self.rng, text)
            if method and method not in self.disguises:
                self.disguises.append(method)
        self.surfaces.append(text)
        return text

    def _pick(self, category: str):
        """A word of ``category`` from this document's source for the category: one source per category and
        document (chosen among the sources with >= 5 words of it, if any), as a real page uses one vocabulary."""
        groups = self.vocab._by_source(category)
        if not groups:
            raise LookupError(f"no {category} words in sources {self.vocab.sources}")
        if category not in self._sticky:
            rich = sorted(s for s, terms in groups.items() if len(terms) >= 5) or sorted(groups)
            self._sticky[category] = self.rng.choice(rich)
        term = self.rng.choice(groups[self._sticky[category]])
        self.mark(term.source)
        return term

    def term(self, category: str, disguise_p: float = 0.0) -> str:
        """A word of ``category`` (possibly disguised), recorded."""
        return self._surface(self._pick(category).text, disguise_p)

    def any_term(self, categories: tuple[str, ...], disguise_p: float = 0.0) -> str:
        usable = [c for c in categories if self.vocab.has(c)]
        return self.term(self.rng.choice(usable), disguise_p)

    def phrase(self, options: tuple[str, ...], disguise_p: float = 0.0) -> str:
        """A hand-written phrase (source ``eval_phrases``)."""
        self.mark("eval_phrases")
        return self._surface(self.rng.choice(options), disguise_p)

    def url(self, category: str) -> str:
        """A URL on a listed domain of ``category`` (gambling_domain, porn_domain, spam_url)."""
        term = self._pick(category)
        rng = self.rng
        host = term.text if term.text.count(".") >= 2 or rng.random() < 0.5 else "www." + term.text
        path = rng.choice(
            (
                "",
                "/",
                f"/{rng.randint(1, 99999)}.html",
                f"/?id={rng.randint(100, 9999)}",
                f"/index.php?u={rng.randint(1, 999)}",
                f"/{rng.choice(('vip', 'reg', 'app', 'm'))}/",
            )
        )
        url = rng.choice(("http://", "https://", "", "http://")) + host + path
        self.surfaces.append(url)
        return url

    def contact(self, disguise_p: float = 0.3) -> str:
        """A generated contact (phone, QQ or WeChat) with a possibly disguised label (source ``eval_phrases``)."""
        self.mark("eval_phrases")
        rng = self.rng
        kind = rng.choice(("phone", "qq", "wechat"))
        label = rng.choice(L.CONTACT_LABELS[kind])
        value = {
            "phone": lambda: f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
            "qq": lambda: str(rng.randint(100000, 3999999999)),
            "wechat": lambda: (
                rng.choice(("", "vip", "ab", "kf", "xx"))
                + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(rng.randint(2, 5)))
                + str(rng.randint(10, 99999))
            ),
        }[kind]()
        text = f"{label}{rng.choice(('：', ':', ' ', '', '+'))}{value}"
        return self._surface(text, disguise_p)

    def keywords(self, theme: str, k: int, disguise_p: float = 0.0) -> list[str]:
        return [self.any_term(THEMES[theme], disguise_p) for _ in range(k)]


#: Junk vocabulary themes and the categories they draw from.
THEMES = {
    "gambling": ("gambling_brand", "gambling_term", "gambling_term"),
    "porn": ("porn_term",),
    "ad": ("ad_term",),
}


def themes(inj: Injector) -> list[str]:
    return [name for name, cats in THEMES.items() if any(inj.vocab.has(c) for c in cats)]


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.findall(paragraph) if s]


def _intensity_pick(intensity: str, light, medium, heavy):
    return {"light": light, "medium": medium, "heavy": heavy}[intensity]


def _truncate(paras: list[str], limit: int) -> list[str]:
    out, size = [], 0
    for para in paras:
        if out and size + len(para) > limit:
            break
        out.append(para)
        size += len(para)
    return out


def _doc(
    kind: str,
    text: str,
    title: str | None,
    carrier: str,
    carrier_ids: list[str],
    inj: Injector,
    intensity: str | None,
    **extra,
) -> Doc:
    return Doc(
        text,
        title,
        "junk",
        kind,
        carrier,
        carrier_ids,
        injected_from=sorted(inj.sources),
        intensity=intensity,
        injected=list(dict.fromkeys(inj.surfaces)),
        disguise=sorted(inj.disguises),
        extra=extra,
    )


def _block(
    rng: random.Random, inj: Injector, theme: str, lines: int, disguise_p: float, domain_cats: list[str]
) -> list[str]:
    out = []
    for _ in range(lines):
        frame = rng.choice(L.BLOCK_LINES)
        if "{u}" in frame and not domain_cats:
            frame = "相关搜索：{k}"
        keys = urls = ""
        if "{k}" in frame:
            keys = rng.choice((" ", "，", "|", "、", "_")).join(inj.keywords(theme, rng.randint(3, 10), disguise_p))
        if "{u}" in frame:
            urls = " ".join(inj.url(rng.choice(domain_cats)) for _ in range(rng.randint(1, 5)))
        out.append(frame.format(k=keys, u=urls))
    return out


# --- 1. casino splice ------------------------------------------------------------------------------------------


def casino_splice(rng: random.Random, inj: Injector, item: Item, intensity: str) -> Doc | None:
    if not inj.can("gambling_brand"):
        return None
    paras = _truncate(item.text.split("\n"), rng.randint(1500, 4500))
    spots = [(i, k) for i, p in enumerate(paras) for k, s in enumerate(sentences(p)) if len(s) >= 10]
    if not spots:
        return None
    dis = _intensity_pick(intensity, 0.1, 0.25, 0.4)
    brand = inj.term("gambling_brand")
    n_title = _intensity_pick(intensity, 1, rng.randint(2, 3), rng.randint(3, 6))
    sep = rng.choice(_TITLE_SEPS)
    cats = ("gambling_term", "gambling_brand", "lottery_game")
    title_parts = [brand] + [inj.any_term(cats, dis) for _ in range(n_title)]
    title = sep.join(title_parts)
    if item.title and rng.random() < 0.4:
        title = f"{title}{sep}{item.title}"
    n_splice = min(len(spots), _intensity_pick(intensity, rng.randint(1, 2), rng.randint(3, 5), rng.randint(6, 12)))
    chosen = sorted(rng.sample(spots, n_splice))
    by_para: dict[int, list[str]] = {}
    spliced = []
    for i, k in chosen:
        sents = by_para.setdefault(i, sentences(paras[i]))
        b = brand if rng.random() < 0.6 else inj.term("gambling_brand", dis)
        if b == brand and rng.random() < dis:
            b = inj._surface(brand, 1.0)
        s = sents[k]
        style = rng.randrange(4)
        comma = s.find("，")
        if style == 0:
            s = f"据{b}报道，{s}"
        elif style == 1:
            s = f"【{b}】{s}"
        elif style == 2 and 0 < comma < len(s) - 2:
            s = s[: comma + 1] + b + s[comma + 1 :]
        else:
            end = len(s.rstrip("。！？!?”’」』）)"))
            extra = inj.any_term(("gambling_term", "lottery_game")) if inj.can("gambling_term") else ""
            s = s[:end] + f"，{b}{extra}" + s[end:] if end > 0 else s + b
        sents[k] = s
        spliced.append(b)
    for i, sents in by_para.items():
        paras[i] = "".join(sents)
    cats = [c for c in ("gambling_domain", "spam_url") if inj.vocab.has(c)]
    n_block = _intensity_pick(intensity, 1, rng.randint(2, 3), rng.randint(4, 8))
    block = _block(rng, inj, "gambling", n_block, dis, cats)
    return _doc(
        "junk:casino_splice",
        "\n".join(paras + block),
        title,
        item.source,
        [item.id],
        inj,
        intensity,
        title_brand=brand,
        spliced=spliced,
        block_lines=len(block),
    )


# --- 2. brand replacement --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def organisations(text: str) -> Counter:
    """Organisation names in ``text``: a jieba word ending in an :data:`ORG_SUFFIXES` suffix, extended left over up
    to three (proper-)noun words of 2+ Han characters; kept when a part is a proper noun (or unknown to jieba's
    dictionary) or the word is tagged ``nt``; 4-16 characters."""
    import rjieba

    tags, out = _word_tags(), Counter()
    for match in _ORG_SUFFIX.finditer(text):
        window = text[max(0, match.start() - 16) : match.end()]
        words = rjieba.cut(window)
        if not words or not words[-1].endswith(match.group()):
            continue
        last = words[-1]
        if not _HAN.fullmatch(last):
            continue
        parts = [last]
        ptags = [tags.get(last)]
        j = len(words) - 1
        while (
            j > 0
            and len(parts) < 4
            and _HAN.fullmatch(words[j - 1])
            and len(words[j - 1]) >= 2
            and tags.get(words[j - 1]) in _NOUN_TAGS
        ):
            parts.insert(0, words[j - 1])
            ptags.insert(0, tags.get(words[j - 1]))
            j -= 1
        name = "".join(parts)
        if name in ORG_SUFFIXES or not 4 <= len(name) <= 16:
            continue
        if ptags[-1] == "nt" or any(t in _PROPER_TAGS for t in ptags):
            out[name] += 1
    return Counter({name: text.count(name) for name in out})


def brand_replace(rng: random.Random, inj: Injector, item: Item, intensity: str | None = None) -> Doc | None:
    if not inj.can("gambling_brand"):
        return None
    orgs = organisations(item.text)
    if not orgs:
        return None
    org = max(orgs, key=lambda name: (orgs[name], len(name), name))
    suffix = next((s for s in ORG_SUFFIXES if org.endswith(s)), "")
    brand = inj.term("gambling_brand")
    surface = brand + suffix if suffix and not brand.endswith(suffix) and rng.random() < 0.4 else brand
    if surface != brand:
        inj.surfaces.append(surface)
    count = item.text.count(org)
    text = item.text.replace(org, surface)
    title = item.title.replace(org, surface) if item.title else None
    if (title is None or surface not in title) and rng.random() < (0.7 if item.title else 0.4):
        head = title or sentences(text.split("\n")[0])[0][:24]
        title = f"{surface}{rng.choice(_TITLE_SEPS)}{head}"
    intensity = "light" if count == 1 else "medium" if count <= 3 else "heavy"
    return _doc(
        "junk:brand_replace",
        text,
        title,
        item.source,
        [item.id],
        inj,
        intensity,
        replaced=org,
        replacement=surface,
        replacements=count,
    )


# --- 3. spun copies --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for a, b in L.SYNONYM_PAIRS:
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {word: tuple(dict.fromkeys(alts)) for word, alts in out.items()}


def spin(rng: random.Random, text: str, share: float, shuffle: float = 0.0) -> tuple[str, int]:
    """``text`` with ``share`` of its synonym-map words swapped (and ``shuffle`` of its multi-clause sentences
    reordered); returns the text and the number of swaps."""
    import rjieba

    syn, swaps, paras = synonym_map(), 0, []
    for para in text.split("\n"):
        words = rjieba.cut(para)
        for i, word in enumerate(words):
            if word in syn and rng.random() < share:
                words[i] = rng.choice(syn[word])
                swaps += 1
        para = "".join(words)
        if shuffle:
            sents = sentences(para)
            for k, s in enumerate(sents):
                clauses = s.rstrip("。！？!?").split("，")
                if len(clauses) >= 3 and rng.random() < shuffle:
                    tail = s[len(s.rstrip("。！？!?")) :]
                    middle = clauses[1:]
                    rng.shuffle(middle)
                    sents[k] = "，".join([clauses[0]] + middle) + tail
            para = "".join(sents)
        paras.append(para)
    return "\n".join(paras), swaps


def spun(rng: random.Random, inj: Injector, item: Item, intensity: str) -> Doc | None:
    usable = themes(inj)
    if not usable:
        return None
    share = _intensity_pick(intensity, 0.3, 0.55, 0.85)
    body = "\n".join(_truncate(item.text.split("\n"), rng.randint(1500, 4500)))
    text, swaps = spin(rng, body, share, _intensity_pick(intensity, 0.0, 0.15, 0.4))
    if swaps < 3:
        return None
    theme = rng.choice(usable)
    dis = _intensity_pick(intensity, 0.0, 0.15, 0.3)
    n_kw = _intensity_pick(intensity, rng.randint(1, 2), rng.randint(3, 5), rng.randint(6, 12))
    kws = inj.keywords(theme, n_kw, dis)
    paras = text.split("\n")
    slots = [(i, k) for i, p in enumerate(paras) for k in range(len(sentences(p)) + 1)]
    placed = []
    for kw in kws:
        i, k = rng.choice(slots)
        sents = sentences(paras[i])
        form = rng.choice(("{k}，", "【{k}】", "{k}：", "{k}。", "（{k}）"))
        sents.insert(min(k, len(sents)), form.format(k=kw))
        paras[i] = "".join(sents)
        placed.append(kw)
    title = None
    if item.title or rng.random() < 0.5:
        head = item.title or sentences(paras[0])[0][:30]
        head, _ = spin(rng, head, share)
        title_kws = kws[: rng.randint(1, min(3, len(kws)))]
        sep = rng.choice(_TITLE_SEPS)
        title = sep.join([head] + title_kws) if rng.random() < 0.6 else sep.join(title_kws + [head])
    return _doc(
        "junk:spun",
        "\n".join(paras),
        title,
        item.source,
        [item.id],
        inj,
        intensity,
        spun_swaps=swaps,
        theme=theme,
        keywords=placed,
    )


# --- 4. keyword-stuffed lists ----------------------------------------------------------------------------------


def keyword_list(rng: random.Random, inj: Injector, headlines: list[Item], intensity: str) -> Doc | None:
    import rjieba

    if not headlines:
        return None
    usable = themes(inj)
    variant = rng.choice(("prefixed", "cloud", "topical")) if usable else "topical"
    heads = [h.text for h in headlines]
    sep = rng.choice(("_", "|", " ", "、", "-", "，"))
    if variant == "topical":
        counts = Counter(w for h in heads for w in rjieba.cut(h) if _HAN.fullmatch(w) and len(w) >= 2)
        if not counts:
            return None
        top = [w for w, _ in counts.most_common(3)]
        key = top[0]
        mods = []
        if inj.hand and rng.random() < 0.7:
            mods = [inj.phrase(L.SEO_MODIFIERS) for _ in range(rng.randint(3, 8))]
        repeat = _intensity_pick(intensity, 3, 8, 20)
        lines = [f"{h}{sep}{key}" if rng.random() < 0.5 else h for h in heads]
        lines.append(sep.join([key] * repeat + [key + m for m in mods]))
        inj.surfaces.append(key)
        title = sep.join(top + [key + m for m in mods[:2]]) if rng.random() < 0.6 else None
    else:
        theme = rng.choice(usable)
        dis = _intensity_pick(intensity, 0.0, 0.2, 0.35)
        main = inj.keywords(theme, 1)[0]
        if variant == "prefixed":
            lines = [f"{main}{sep}{h}" if rng.random() < 0.5 else f"{h}{sep}{main}" for h in heads]
            extra = inj.keywords(theme, _intensity_pick(intensity, 2, 5, 12), dis)
            lines.append(sep.join(extra + [main] * _intensity_pick(intensity, 2, 4, 10)))
        else:
            cloud = inj.keywords(theme, _intensity_pick(intensity, 6, 15, 40), dis)
            cloud += [main] * _intensity_pick(intensity, 3, 6, 15)
            rng.shuffle(cloud)
            per = rng.randint(3, 6)
            lines = [sep.join(cloud[: len(cloud) // 2])]
            lines += [" | ".join(heads[i : i + per]) for i in range(0, len(heads), per)]
            lines.append(sep.join(cloud[len(cloud) // 2 :]))
        title = sep.join([main] + inj.keywords(theme, rng.randint(1, 3))) if rng.random() < 0.6 else None
    return _doc(
        "junk:keyword_list",
        "\n".join(lines),
        title,
        "thucnews",
        [h.id for h in headlines],
        inj,
        intensity,
        variant=variant,
    )


# --- 5. link farms, lures, lottery ads, contact blocks, spec fragments -----------------------------------------


def link_farm(rng: random.Random, inj: Injector, anchors: list[Item], intensity: str) -> Doc | None:
    cats = [c for c in ("gambling_domain", "porn_domain", "spam_url") if inj.vocab.has(c)]
    if not cats:
        return None
    cats = rng.sample(cats, min(len(cats), rng.randint(1, 2)))
    usable = themes(inj)
    if not anchors and not usable:
        return None
    n = _intensity_pick(intensity, rng.randint(10, 20), rng.randint(20, 40), rng.randint(40, 100))
    theme = rng.choice(usable) if usable else None
    texts = [a.text for a in anchors]

    def anchor() -> str:
        if texts and (theme is None or rng.random() < 0.5):
            return rng.choice(texts)
        return inj.any_term(THEMES[theme], 0.2)

    layout = rng.choice(("lines", "bar", "bare"))
    if layout == "lines":
        lines = [f"{anchor()} {inj.url(rng.choice(cats))}" for _ in range(n)]
    elif layout == "bar":
        names = [anchor() for _ in range(n)]
        per = rng.randint(4, 8)
        lines = ["友情链接："] + [" | ".join(names[i : i + per]) for i in range(0, n, per)]
        lines += [" ".join(inj.url(rng.choice(cats)) for _ in range(4)) for _ in range(max(1, n // 8))]
    else:
        urls = [inj.url(rng.choice(cats)) for _ in range(n)]
        lines = [anchor() + "网址大全"] + [" ".join(urls[i : i + 4]) for i in range(0, n, 4)]
    title = anchor() if rng.random() < 0.5 else None
    used_anchors = [a for a in anchors if a.text in "\n".join(lines) or a.text == title]
    carrier = "thucnews" if used_anchors else inj.sources[0] if inj.sources else cats[0]
    if not used_anchors and carrier not in inj.sources:
        return None
    return _doc(
        "junk:link_farm",
        "\n".join(lines),
        title,
        carrier,
        [a.id for a in used_anchors],
        inj,
        intensity,
        layout=layout,
        links=n,
    )


def _excerpt(rng: random.Random, item: Item, limit: int) -> list[str]:
    paras = item.text.split("\n")
    start = rng.randrange(len(paras))
    return _truncate(paras[start:], limit) or paras[:1]


def _lure_line(rng: random.Random, inj: Injector, dis: float) -> str:
    if inj.hand and rng.random() < 0.7:
        template = inj.phrase(L.PORN_LURES)
        inj.surfaces.pop()
        return template.format(t=inj.term("porn_term", dis), c=inj.contact(dis) if "{c}" in template else "")
    parts = [inj.term("porn_term", dis) for _ in range(rng.randint(2, 4))]
    if inj.vocab.has("porn_domain"):
        parts.append(inj.url("porn_domain"))
    return " ".join(parts)


def porn_lure(
    rng: random.Random, inj: Injector, intensity: str, messages: list[Item], carrier: Item | None
) -> Doc | None:
    if not inj.can("porn_term"):
        return None
    dis = _intensity_pick(intensity, 0.3, 0.5, 0.6)
    roll = rng.random()
    title = (
        _lure_line(rng, inj, dis)
        if roll < 0.35
        else rng.choice(("_", " ", "|")).join(inj.term("porn_term", dis) for _ in range(rng.randint(2, 5)))
        if roll < 0.7
        else None
    )
    if intensity == "light" and carrier is not None:
        body = _excerpt(rng, carrier, rng.randint(200, 700))
        lures = [_lure_line(rng, inj, dis) for _ in range(rng.randint(1, 3))]
        lines = lures + body if rng.random() < 0.5 else body + lures
        return _doc("junk:porn_lure", "\n".join(lines), title, carrier.source, [carrier.id], inj, intensity)
    n = _intensity_pick(intensity, 3, rng.randint(4, 8), rng.randint(8, 16))
    lines = [_lure_line(rng, inj, dis) for _ in range(n)]
    for message in messages:
        inj.mark(message.source)
        lines.insert(rng.randint(0, len(lines)), message.text)
    if inj.vocab.has("porn_domain") and intensity == "heavy":
        lines.append(" ".join(inj.url("porn_domain") for _ in range(rng.randint(2, 6))))
    source = messages[0].source if messages else inj.sources[0]
    return _doc("junk:porn_lure", "\n".join(lines), title, source, [m.id for m in messages], inj, intensity)


def _lottery_line(rng: random.Random, inj: Injector, dis: float) -> str:
    if inj.hand:
        template = inj.phrase(L.LOTTERY_ADS)
        inj.surfaces.pop()
        brand = inj.term("gambling_brand", dis) if "{b}" in template and inj.can("gambling_brand") else ""
        return template.format(
            g=inj.phrase(L.LOTTERY_GAMES, dis) if "{g}" in template else "",
            b=brand,
            c=inj.contact(dis) if "{c}" in template else "",
            n=rng.choice((8, 18, 28, 38, 88, 188, 888, 1000, 5000)),
            d=f"{rng.randint(2019, 2025)}{rng.randint(1, 360):03d}",
            p=" ".join(f"{rng.randint(0, 49):02d}" for _ in range(rng.randint(3, 7))),
        )
    parts = [inj.term("gambling_brand", dis)] if inj.can("gambling_brand") else []
    parts += [inj.term("gambling_term", dis) for _ in range(rng.randint(1, 3))] if inj.can("gambling_term") else []
    if inj.vocab.has("gambling_domain"):
        parts.append(inj.url("gambling_domain"))
    return " ".join(parts)


def lottery_ad(
    rng: random.Random, inj: Injector, intensity: str, messages: list[Item], carrier: Item | None
) -> Doc | None:
    if not (inj.hand or inj.can("gambling_brand") or inj.can("gambling_term")):
        return None
    dis = _intensity_pick(intensity, 0.3, 0.45, 0.6)
    if rng.random() < 0.3:
        title = None
    elif inj.hand:
        title = f"{inj.phrase(L.LOTTERY_GAMES)}{rng.choice(_TITLE_SEPS)}{_lottery_line(rng, inj, dis)}"
    else:
        title = rng.choice(_TITLE_SEPS).join(inj.any_term(("gambling_brand", "gambling_term")) for _ in range(3))
    if intensity == "light" and carrier is not None:
        body = _excerpt(rng, carrier, rng.randint(200, 700))
        ads = [_lottery_line(rng, inj, dis) for _ in range(rng.randint(2, 3))]
        lines = ads + body if rng.random() < 0.4 else body + ads
        return _doc("junk:lottery_ad", "\n".join(lines), title, carrier.source, [carrier.id], inj, intensity)
    n = _intensity_pick(intensity, 3, rng.randint(5, 10), rng.randint(10, 22))
    lines = [_lottery_line(rng, inj, dis) for _ in range(n)]
    for message in messages:
        inj.mark(message.source)
        lines.insert(rng.randint(0, len(lines)), message.text)
    source = messages[0].source if messages else ("eval_phrases" if inj.hand else inj.sources[0])
    return _doc("junk:lottery_ad", "\n".join(lines), title, source, [m.id for m in messages], inj, intensity)


def _address(rng: random.Random) -> str:
    province, cities = rng.choice(L.PROVINCES)
    return f"{province}{rng.choice(cities)}{rng.choice(L.ROADS)}{rng.randint(1, 999)}号"


def _contact_lines(rng: random.Random, inj: Injector, dis: float) -> list[str]:
    inj.mark("eval_phrases")
    lines = [f"{rng.choice(L.CONTACT_LABELS['name'])}：{rng.choice(L.SURNAMES)}{rng.choice(L.TITLES)}"]
    lines += [inj.contact(dis) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.7:
        lines.append(f"{rng.choice(L.CONTACT_LABELS['address'])}：{_address(rng)}")
    if rng.random() < 0.4:
        user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 8)))
        host = rng.choice(("163.com", "qq.com", "126.com", "sina.com"))
        lines.append(f"{rng.choice(L.CONTACT_LABELS['email'])}：{user}{rng.randint(1, 999)}@{host}")
    rng.shuffle(lines)
    return lines


def contact_block(rng: random.Random, inj: Injector, intensity: str, carrier: Item | None) -> Doc | None:
    dis = _intensity_pick(intensity, 0.2, 0.4, 0.6)
    real = inj.can("contact_line")
    if not inj.hand and not real:
        return None
    lines: list[str] = []
    for _ in range(_intensity_pick(intensity, 1, rng.randint(1, 2), rng.randint(2, 4))):
        block = _contact_lines(rng, inj, dis) if inj.hand else []
        if real:
            block += [inj.term("contact_line") for _ in range(rng.randint(1, 4))]
        if inj.can("ad_line") and rng.random() < 0.6:
            block.insert(0, inj.term("ad_line"))
        lines += block
    if intensity == "light" and carrier is not None:
        body = _excerpt(rng, carrier, rng.randint(100, 300))
        return _doc("junk:contact_block", "\n".join(body + lines), None, carrier.source, [carrier.id], inj, intensity)
    title = rng.choice(("联系我们", "联系方式", None, None, None, None))
    source = "trec06c_spam" if "trec06c_spam" in inj.sources else "eval_phrases"
    return _doc("junk:contact_block", "\n".join(lines), title, source, [], inj, intensity)


def _spec_value(rng: random.Random, kind: str) -> str:
    if kind in L.SPEC_VALUES:
        return rng.choice(L.SPEC_VALUES[kind])
    r = rng.randint
    return {
        "model": lambda: f"{rng.choice(('KX', 'HD', 'TY', 'M', 'JS', 'A'))}-{r(10, 9999)}",
        "size": lambda: f"{r(5, 200)}×{r(5, 200)}×{r(1, 80)}cm",
        "weight": lambda: f"{r(50, 5000)}g" if rng.random() < 0.6 else f"{r(1, 50)}kg",
        "power": lambda: f"{r(5, 3000)}W",
        "voltage": lambda: rng.choice(("220V", "110-240V", "12V", "5V/2A")),
        "standard": lambda: f"GB/T {r(1000, 39999)}-{r(2000, 2023)}",
        "price": lambda: f"¥{r(9, 9999)}.00",
        "stock": lambda: f"{r(0, 9999)}件",
        "date": lambda: f"{r(2015, 2024)}年{r(1, 12)}月",
    }[kind]()


def spec_fragment(rng: random.Random, inj: Injector, intensity: str) -> Doc | None:
    real = inj.can("kv_line")
    if not inj.hand and not real:
        return None
    n = _intensity_pick(intensity, rng.randint(6, 10), rng.randint(10, 18), rng.randint(18, 30))
    lines = []
    if inj.hand:
        inj.mark("eval_phrases")
        fields = rng.sample(L.SPEC_FIELDS, min(len(L.SPEC_FIELDS), n))
        lines = [f"{key}{rng.choice(('：', ':', ' '))}{_spec_value(rng, kind)}" for key, kind in fields]
    if real:
        k = n // 2 if inj.hand else n
        for _ in range(k):
            lines.insert(rng.randint(0, len(lines)), inj.term("kv_line"))
    title = None
    if inj.hand and rng.random() < 0.4:
        title = f"{_spec_value(rng, 'brand')}{_spec_value(rng, 'model')} {rng.choice(('参数', '规格参数', '产品参数'))}"
    source = "eval_phrases" if inj.hand and not real else "trec06c_spam"
    return _doc("junk:spec_fragment", "\n".join(lines), title, source, [], inj, intensity)


# --- real spam as pages ----------------------------------------------------------------------------------------


def chat_spam(rng: random.Random, inj: Injector, messages: list[Item], intensity: str) -> Doc | None:
    """Real spam messages as a thread (the ``good:chat`` layout), or one or two as a short page."""
    if not messages:
        return None
    for message in messages:
        inj.mark(message.source)
    if intensity == "short":
        text = "\n".join(m.text for m in messages)
    else:
        text = thread_text(rng, [m.text for m in messages])
    return _doc("junk:chat_spam", text, None, messages[0].source, [m.id for m in messages], inj, intensity)


def email_spam(inj: Injector, item: Item) -> Doc:
    inj.mark(item.source)
    return _doc("junk:email_spam", item.text, None, item.source, [item.id], inj, None)
