"""Word segmentation exactly as ``jieba.cut(text)`` (accurate mode, HMM on), two implementations.

``jieba`` is jieba itself (~0.6 MB/s per core here). ``rjieba`` gets the same words faster: jieba-rs
(through ``rjieba``) builds the dictionary route of every block of Han characters, and jieba's own rules
finish it (runs of single characters that are not a dictionary word go through jieba's HMM, here a faster
Viterbi with identical arithmetic, :class:`_JiebaHmm`). Blocks that mix Han with Latin letters or digits,
and everything else, take jieba's own code path.
``rjieba.cut`` alone does not equal jieba (it joins ``com.cn``, Extension B characters and some HMM
runs): ``tests/tokenizer/test_segment.py`` checks the hybrid against jieba on all of ``../shared/data``.
Both are lossless: ``"".join(segment(text)) == text``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

SEGMENTERS = ("rjieba", "jieba")
_HAN_ONLY = re.compile("[\u4e00-\u9fd5]+")  # jieba's Han range, without the Latin/digit part of its blocks
_CACHE_SIZE = 100_000  # entries of each per-process cache of segmented runs and blocks


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # the prefix dictionary, from jieba's own cache file when present
    return jieba


@lru_cache(maxsize=1)
def _rjieba():
    import rjieba

    rjieba.cut("")  # loads its dictionary once
    return rjieba


def segment_jieba(text: str) -> list[str]:
    return list(_jieba().dt.cut(text))


class _JiebaHmm:
    """``jieba.finalseg.cut`` for a run of Han characters, about 6x faster, with the same result.

    The same Viterbi over jieba's B/M/E/S model: the same float additions in the same order and the same
    tie-breaking as its ``max`` over (probability, state) tuples (the later state letter wins), with
    back-pointers instead of copied paths. Tested equal to jieba on generated runs and all of our data.
    """

    def __init__(self) -> None:
        from jieba import finalseg

        self._force_split = finalseg.Force_Split_Words
        self._min = finalseg.MIN_FLOAT
        self._start = tuple(finalseg.start_P[state] for state in "BMES")
        self._emit = tuple(finalseg.emit_P[state] for state in "BMES")
        trans = finalseg.trans_P
        self._trans = (
            trans["E"]["B"],
            trans["S"]["B"],
            trans["M"]["M"],
            trans["B"]["M"],
            trans["S"]["S"],
            trans["E"]["S"],
            trans["B"]["E"],
            trans["M"]["E"],
        )

    def _tags(self, run: str) -> list[int]:
        """The most likely state of each character: 0 B, 1 M, 2 E, 3 S."""
        low = self._min
        emit_b, emit_m, emit_e, emit_s = self._emit
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = self._trans
        first = run[0]
        start_b, start_m, start_e, start_s = self._start
        v_b, v_m = start_b + emit_b.get(first, low), start_m + emit_m.get(first, low)
        v_e, v_s = start_e + emit_e.get(first, low), start_s + emit_s.get(first, low)
        back = []  # per character: the previous state of B, M, E, S (indices 0-3)
        append = back.append
        for char in run[1:]:
            em = emit_b.get(char, low)
            from_e, from_s = v_e + t_eb + em, v_s + t_sb + em
            if from_s >= from_e:
                n_b, p_b = from_s, 3
            else:
                n_b, p_b = from_e, 2
            em = emit_m.get(char, low)
            from_m, from_b = v_m + t_mm + em, v_b + t_bm + em
            if from_m >= from_b:
                n_m, p_m = from_m, 1
            else:
                n_m, p_m = from_b, 0
            em = emit_s.get(char, low)
            from_s, from_e = v_s + t_ss + em, v_e + t_es + em
            if from_s >= from_e:
                n_s, p_s = from_s, 3
            else:
                n_s, p_s = from_e, 2
            em = emit_e.get(char, low)
            from_b, from_m = v_b + t_be + em, v_m + t_me + em
            if from_m >= from_b:
                n_e, p_e = from_m, 1
            else:
                n_e, p_e = from_b, 0
            append((p_b, p_m, p_e, p_s))
            v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
        state = 3 if v_s >= v_e else 2
        tags = [state]
        for pointers in reversed(back):
            state = pointers[state]
            tags.append(state)
        tags.reverse()
        return tags

    def __call__(self, run: str) -> list[str]:
        words, begin, next_start = [], 0, 0
        for position, tag in enumerate(self._tags(run)):
            if tag == 0:
                begin = position
            elif tag == 2:
                words.append(run[begin : position + 1])
                next_start = position + 1
            elif tag == 3:
                words.append(run[position])
                next_start = position + 1
        if next_start < len(run):
            words.append(run[next_start:])
        if self._force_split:
            words = [piece for word in words for piece in ((word,) if word not in self._force_split else word)]
        return words


class _HybridSegmenter:
    """jieba's ``cut`` with the dictionary route of pure-Han blocks taken from jieba-rs."""

    def __init__(self) -> None:
        jieba = _jieba()
        self._dt = jieba.dt
        self._freq = jieba.dt.FREQ
        self._hmm = _JiebaHmm()
        self._route = _rjieba().cut
        self._blocks = jieba.re_han_default
        self._skip = jieba.re_skip_default
        self._hmm_cache: dict[str, tuple[str, ...]] = {}
        self._mixed_cache: dict[str, tuple[str, ...]] = {}

    def _flush(self, run: str, out: list[str]) -> None:
        """jieba's rule for a run of single-character route words (``Tokenizer.__cut_DAG``)."""
        if len(run) == 1:
            out.append(run)
        elif self._freq.get(run):
            out.extend(run)
        else:
            words = self._hmm_cache.get(run)
            if words is None:
                if len(self._hmm_cache) >= _CACHE_SIZE:
                    self._hmm_cache.clear()
                words = self._hmm_cache[run] = tuple(self._hmm(run))
            out.extend(words)

    def _han_block(self, block: str, out: list[str]) -> None:
        run = ""
        for word in self._route(block, False):
            if len(word) == 1:
                run += word
                continue
            if run:
                self._flush(run, out)
                run = ""
            out.append(word)
        if run:
            self._flush(run, out)

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for block in self._blocks.split(text):
            if not block:
                continue
            if _HAN_ONLY.fullmatch(block):
                self._han_block(block, out)
            elif self._blocks.match(block):  # Han mixed with Latin letters or digits ("3月", "1楼"): often repeated
                words = self._mixed_cache.get(block)
                if words is None:
                    if len(self._mixed_cache) >= _CACHE_SIZE:
                        self._mixed_cache.clear()
                    words = self._mixed_cache[block] = tuple(self._dt.cut(block))
                out.extend(words)
            else:  # jieba's handling of text outside its blocks: whitespace runs split, other characters one by one
                for part in self._skip.split(block):
                    if self._skip.match(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out


@cache
def segmenter(name: str):
    """The segmentation function called ``name`` (one of :data:`SEGMENTERS`), built once per process."""
    if name == "rjieba":
        return _HybridSegmenter()
    if name == "jieba":
        return segment_jieba
    raise ValueError(f"unknown segmenter {name!r}; expected one of {', '.join(SEGMENTERS)}")
