"""A labelled set for benchmark decontamination: clean documents, and real documents with a benchmark item spliced in.

Built deterministically (seeded) from ``../shared/data``; nothing is copied into the repository. Each
:class:`EvalDoc` carries its label beside the text: ``clean`` (must be kept) or ``spliced`` (must be removed,
with the benchmark, item id and edit variant that went in).

**Clean documents** (:func:`load_clean`): the four classic novels, one document per chapter (``第N回``); the 256
zh-Wikipedia paragraphs (CMRC 2018 trial); the 2,500 CLUECorpusSmall documents; THUCNews headlines grouped 20 to a
document within a topic, in file order; GNE pages' reference main texts and the extraction-gold pages' hand-copied
main texts (:mod:`corpus_eval.extraction_gold`); trec06c ham e-mail bodies.

**Halves.** Every clean document and every benchmark item belongs to half ``a`` or ``b`` by the SHA-256 of its key
(``source:id``, ``benchmark/item_id``; :func:`half`): the rule is chosen on half ``a`` and reported on half ``b``.

**Spliced documents** (:func:`spliced_docs`): a benchmark item of the half is rendered as an exam prints it (stem,
then the options as ``A. …`` / ``A、…`` / ``(A)…`` / ``A：…``, one a line or in one line) and inserted between two
paragraphs of a clean carrier document of the same half (source chosen uniformly, then a document; at most
:data:`CARRIER_CHARS` characters of it around the insertion point), in one of these variants:

``exact``          the item as printed;
``reordered``      options shuffled (a different order) and relettered;
``no_letters``     options without letters (one a line, or joined by ``；``/spaces);
``question_only``  the stem alone;
``char_edits``     2 characters of the stem (3 when it has 40 or more) replaced by, or preceded by an inserted,
                   other common character, options as printed;
``paraphrase``     1-2 words of the stem swapped for a synonym from :data:`SYNONYMS` (where none occurs, two
                   adjacent characters exchanged, counted apart as ``fallback``) and Chinese punctuation changed to
                   ASCII (or the reverse), options as printed.

Items without options get only ``exact``, ``char_edits``, ``paraphrase`` and ``question_only``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from corpus_pipeline.rules.decontamination import (
    BenchmarkItem,
    default_benchmarks,
    load_benchmarks,
)

__all__ = [
    "CLEAN_SOURCES",
    "VARIANTS",
    "EvalDoc",
    "build_eval_set",
    "half",
    "load_clean",
    "render",
    "spliced_docs",
    "variant_text",
]

CLEAN_SOURCES = ("novels", "zhwiki", "clue", "thucnews", "gne", "extraction_gold", "trec06c_ham")
VARIANTS = ("exact", "reordered", "no_letters", "question_only", "char_edits", "paraphrase")
CARRIER_CHARS = 3000
HEADLINES_PER_DOC = 20
_CHAPTER = re.compile(r"^\s*第[一二三四五六七八九十百零〇]+回")

#: word -> replacement, for the light paraphrase (exam wording and common words; either direction reads naturally)
SYNONYMS = {
    "下列": "以下",
    "以下": "下列",
    "正确的是": "对的是",
    "错误的是": "不对的是",
    "不正确的是": "错误的是",
    "哪一项": "哪项",
    "哪项": "哪一项",
    "哪个": "哪一个",
    "属于": "归于",
    "主要": "重要",
    "关于": "有关",
    "包括": "包含",
    "可以": "能够",
    "能够": "可以",
    "应该": "应当",
    "因为": "由于",
    "由于": "因为",
    "所以": "因此",
    "因此": "所以",
    "但是": "可是",
    "如果": "假如",
    "根据": "依据",
    "其中": "当中",
    "不是": "并非",
    "叫做": "称为",
    "称为": "叫做",
    "通常": "一般",
    "一般": "通常",
    "最早": "最先",
    "目的": "目标",
    "原因": "缘故",
    "作用": "功能",
    "特点": "特征",
    "方法": "方式",
    "重要": "关键",
    "我国": "中国",
    "说法": "表述",
    "表述": "说法",
    "符合": "满足",
    "发展": "进步",
    "认为": "觉得",
    "已经": "已",
    "必须": "务必",
    "进行": "开展",
    "提出": "提起",
    "是指": "指的是",
    "不属于": "不归于",
    "描述": "叙述",
    "叙述": "描述",
    "理解": "领会",
    "体现": "反映",
    "反映": "体现",
    "材料": "资料",
    "图中": "图里",
    "该": "这个",
    "这些": "这类",
    "时期": "时代",
    "影响": "作用",
    "国家": "国度",
    "以及": "和",
    "并且": "而且",
    "而且": "并且",
    "选项": "选择项",
    "得到": "获得",
    "获得": "得到",
}
_SYNONYM_PATTERN = re.compile("|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)))
_PUNCT_TO_ASCII = str.maketrans(
    {"，": ",", "。": ".", "？": "?", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "“": '"', "”": '"'}
)
_PUNCT_TO_WIDE = str.maketrans({",": "，", ".": "。", "?": "？", ":": "：", ";": "；", "(": "（", ")": "）"})
#: characters inserted or substituted by ``char_edits`` (common characters of exam text)
EDIT_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处理府研质信"
)
LETTER_STYLES = ("A. ", "A．", "A、", "(A)", "（A）", "A：", "A.")


def half(key: str) -> str:
    """``"a"`` or ``"b"``: the parity of the first byte of SHA-256 over ``key``."""
    return "ab"[hashlib.sha256(b"decontamination/half/v1\0" + key.encode("utf-8")).digest()[0] & 1]


@dataclass(frozen=True)
class EvalDoc:
    """One labelled document: ``label`` is ``clean`` or ``spliced``; ``source`` is the (carrier's) source."""

    id: str
    text: str
    source: str
    half: str
    label: str
    benchmark: str | None = None
    item_id: str | None = None
    variant: str | None = None
    detail: str | None = None  # paraphrase: "synonym" or "fallback"

    @property
    def item_label(self) -> str | None:
        return f"{self.benchmark}/{self.item_id}" if self.benchmark else None


# --- clean documents --------------------------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines() if line]


def _novels(root: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((root / "reference" / "novels").glob("*.txt")):
        chapters: list[list[str]] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if _CHAPTER.match(line):
                chapters.append([line])
            elif line and chapters:
                chapters[-1].append(line)
        out += [(f"{path.stem}:{number}", "\n".join(lines)) for number, lines in enumerate(chapters)]
    return out


def _thucnews(root: Path) -> list[tuple[str, str]]:
    by_topic: dict[str, list[str]] = {}
    for row in _jsonl(root / "web_text" / "thucnews_headlines.jsonl.gz"):
        by_topic.setdefault(row["topic"], []).append(row["text"].strip())
    out = []
    for topic in sorted(by_topic):
        lines = by_topic[topic]
        for start in range(0, len(lines), HEADLINES_PER_DOC):
            out.append((f"{topic}:{start // HEADLINES_PER_DOC}", "\n".join(lines[start : start + HEADLINES_PER_DOC])))
    return out


def _gne(root: Path) -> list[tuple[str, str]]:
    from corpus_eval.extraction_gold import load_gne

    return [(page.name, page.text) for page in load_gne(root / "web_html" / "gne") if page.text.strip()]


def _extraction_gold(root: Path) -> list[tuple[str, str]]:
    folder = root / "web_html" / "extraction_gold"
    out = []
    for path in sorted(folder.glob("*.cleaned.txt")):
        text = "\n".join(line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
        if text.strip():
            out.append((path.name.split(".")[0], text.strip()))
    return out


def _rows(root: Path, rel: str) -> list[tuple[str, str]]:
    return [(row["id"], row["text"].strip()) for row in _jsonl(root / rel) if row["text"].strip()]


_LOADERS = {
    "novels": _novels,
    "zhwiki": lambda root: _rows(root, "reference/zhwiki_cmrc2018_trial.jsonl.gz"),
    "clue": lambda root: _rows(root, "web_text/cluecorpussmall_sample.jsonl.gz"),
    "thucnews": _thucnews,
    "gne": _gne,
    "extraction_gold": _extraction_gold,
    "trec06c_ham": lambda root: _rows(root, "spam/trec06c_ham.jsonl.gz"),
}


@lru_cache(maxsize=4)
def _clean(root: str, sources: tuple[str, ...]) -> tuple[EvalDoc, ...]:
    docs = []
    for source in sources:
        for doc_id, text in _LOADERS[source](Path(root)):
            key = f"{source}:{doc_id}"
            docs.append(EvalDoc(key, text, source, half(key), "clean"))
    return tuple(docs)


def load_clean(
    shared: str | Path, which_half: str | None = None, sources: tuple[str, ...] = CLEAN_SOURCES
) -> list[EvalDoc]:
    """The clean documents of ``sources`` (all, or one half), in source and file order."""
    docs = _clean(str(Path(shared).resolve()), tuple(sources))
    return [doc for doc in docs if which_half is None or doc.half == which_half]


# --- spliced documents ------------------------------------------------------------------------------------------


def render(stem: str, options: list[str], letters: bool, rng: random.Random) -> str:
    """An item as an exam or a question site prints it."""
    if not options:
        return stem
    if letters:
        style = rng.choice(LETTER_STYLES)
        marked = [style.replace("A", chr(ord("A") + i)) + option for i, option in enumerate(options)]
    else:
        marked = list(options)
    if rng.random() < 0.5:
        return stem + "\n" + "\n".join(marked)
    separator = rng.choice(("  ", " ", "；" if not letters else "  "))
    return stem + ("" if rng.random() < 0.5 else "\n") + separator.join(marked)


def _cjk_positions(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if "\u4e00" <= char <= "\u9fff" or char.isalnum()]


def _char_edits(stem: str, rng: random.Random) -> str:
    chars = list(stem)
    positions = _cjk_positions(stem)
    edits = 2 if len(positions) < 40 else 3
    for position in sorted(rng.sample(positions, min(edits, len(positions))), reverse=True):
        replacement = rng.choice(EDIT_CHARS)
        if rng.random() < 0.5:
            chars[position] = replacement if replacement != chars[position] else "之"
        else:
            chars.insert(position, replacement)
    return "".join(chars)


def _paraphrase(stem: str, rng: random.Random) -> tuple[str, str]:
    found = list(_SYNONYM_PATTERN.finditer(stem))
    if found:
        chosen = sorted(rng.sample(found, min(len(found), rng.choice((1, 2)))), key=lambda m: m.start(), reverse=True)
        text = stem
        for match in chosen:
            text = text[: match.start()] + SYNONYMS[match.group()] + text[match.end() :]
        detail = "synonym"
    else:
        letters = set(_cjk_positions(stem))
        positions = [i for i in sorted(letters) if i + 1 in letters and stem[i + 1] != stem[i]]
        text = stem
        if positions:
            i = rng.choice(positions)
            text = stem[:i] + stem[i + 1] + stem[i] + stem[i + 2 :]
        detail = "fallback"
    table = _PUNCT_TO_ASCII if rng.random() < 0.7 else _PUNCT_TO_WIDE
    return text.translate(table), detail


def variant_text(item: BenchmarkItem, variant: str, rng: random.Random) -> tuple[str, str | None]:
    """The rendered block of ``item`` in ``variant`` (see the module docstring), and a detail label."""
    options = list(item.options)
    if variant == "exact":
        return render(item.question, options, True, rng), None
    if variant == "reordered":
        shuffled = options[:]
        while len(set(shuffled)) > 1 and shuffled == options:
            rng.shuffle(shuffled)
        return render(item.question, shuffled, True, rng), None
    if variant == "no_letters":
        return render(item.question, options, False, rng), None
    if variant == "question_only":
        return item.question, None
    if variant == "char_edits":
        return render(_char_edits(item.question, rng), options, True, rng), None
    if variant == "paraphrase":
        text, detail = _paraphrase(item.question, rng)
        return render(text, options, True, rng), detail
    raise ValueError(f"unknown variant {variant!r}")


def _splice(carrier: str, block: str, rng: random.Random) -> str:
    paragraphs = [p for p in carrier.split("\n") if p.strip()]
    # a window of the carrier of at most CARRIER_CHARS characters
    sizes = [len(p) + 1 for p in paragraphs]
    start = rng.randrange(len(paragraphs)) if paragraphs else 0
    end = start
    total = 0
    while end < len(paragraphs) and (total + sizes[end] <= CARRIER_CHARS or end == start):
        total += sizes[end]
        end += 1
    window = paragraphs[start:end]
    if window and len(window[0]) > CARRIER_CHARS:
        window = [window[0][:CARRIER_CHARS]]
    at = rng.randint(0, len(window))
    return "\n".join(window[:at] + [block] + window[at:])


def spliced_docs(
    items: list[BenchmarkItem],
    carriers: list[EvalDoc],
    which_half: str,
    seed: int = 0,
    per_benchmark: int | None = 500,
    variants: tuple[str, ...] = VARIANTS,
) -> list[EvalDoc]:
    """Documents with one item of ``which_half`` spliced into a carrier of that half, every variant of each
    chosen item (up to ``per_benchmark`` items per benchmark, chosen with ``seed``)."""
    rng = random.Random(f"decontamination/{seed}/{which_half}")
    by_source: dict[str, list[EvalDoc]] = {}
    for doc in carriers:
        if doc.half == which_half and len(doc.text) >= 20:
            by_source.setdefault(doc.source, []).append(doc)
    sources = sorted(by_source)
    by_benchmark: dict[str, list[BenchmarkItem]] = {}
    for item in items:
        if half(item.label) == which_half:
            by_benchmark.setdefault(item.benchmark, []).append(item)
    out = []
    for benchmark in sorted(by_benchmark):
        pool = by_benchmark[benchmark]
        chosen = pool if per_benchmark is None or per_benchmark >= len(pool) else rng.sample(pool, per_benchmark)
        for item in chosen:
            for variant in variants:
                if not item.options and variant in ("reordered", "no_letters"):
                    continue
                block, detail = variant_text(item, variant, rng)
                carrier = rng.choice(by_source[rng.choice(sources)])
                text = _splice(carrier.text, block, rng)
                out.append(
                    EvalDoc(
                        f"spliced:{item.label}:{variant}",
                        text,
                        carrier.source,
                        which_half,
                        "spliced",
                        item.benchmark,
                        item.item_id,
                        variant,
                        detail,
                    )
                )
    return out


def build_eval_set(
    shared: str | Path,
    which_half: str,
    seed: int = 0,
    per_benchmark: int | None = 500,
    clean_sources: tuple[str, ...] = CLEAN_SOURCES,
    variants: tuple[str, ...] = VARIANTS,
) -> list[EvalDoc]:
    """Clean documents of one half followed by spliced ones (items of that half, carriers of that half)."""
    clean = load_clean(shared, which_half, clean_sources)
    items = load_benchmarks(default_benchmarks(shared))
    return clean + spliced_docs(items, clean, which_half, seed, per_benchmark, variants)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the labelled decontamination set as JSONL (labels beside).")
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--half", choices=("a", "b"), required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-benchmark", type=int, default=500)
    parser.add_argument("--out", required=True, help="output .jsonl or .jsonl.gz")
    args = parser.parse_args(argv)
    docs = build_eval_set(args.shared, args.half, args.seed, args.per_benchmark)
    lines = "".join(json.dumps(asdict(doc), ensure_ascii=False) + "\n" for doc in docs).encode("utf-8")
    Path(args.out).write_bytes(gzip.compress(lines, mtime=0) if args.out.endswith(".gz") else lines)
    print(f"{len(docs)} documents ({sum(d.label == 'spliced' for d in docs)} spliced) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
