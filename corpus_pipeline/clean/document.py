"""Cleaning one document: the clean stage's steps in their fixed order, gated by the source's steps.

:data:`PHASES` is that order. HTML input always has its main text extracted first. ``normalize`` runs in two
phases, characters first and special symbols and whitespace after ``strip_navigation`` (menus use symbols as
separators); the document filters run last, on the text the rules left. A phase returns a removal reason or
None; the first reason ends the document's cleaning. A user-defined ``python:`` step listed after a clean
step runs right after that step's last phase (:mod:`corpus_pipeline.steps.user`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus_pipeline.recipe import CleanConfig
from corpus_pipeline.rules.ads import AdRules, apply_ad_rules
from corpus_pipeline.rules.document_filters import (
    char_stats,
    cjk_ratio_reason,
    count_chars,
    min_length_reason,
    no_counted_chars_reason,
    title_only_reason,
)
from corpus_pipeline.rules.html import extract_main_text
from corpus_pipeline.rules.language import UNDETERMINED, LanguageConfig, identify_language, language_reason
from corpus_pipeline.rules.line_dedup import remove_lines
from corpus_pipeline.rules.navigation import NavigationRules, strip_navigation
from corpus_pipeline.rules.normalize import Normalizer, collapse_whitespace
from corpus_pipeline.rules.paragraphs import dedup_paragraphs
from corpus_pipeline.rules.ruledata import CleanRuleData
from corpus_pipeline.rules.simplify import to_simplified
from corpus_pipeline.steps import user


class CleanRules:
    """The clean stage's rules compiled for one recipe: built once per worker process."""

    def __init__(self, data: CleanRuleData, config: CleanConfig):
        self.config = config
        self.normalizer = Normalizer(data.special_symbols, data.fullwidth_keep)
        self.navigation = NavigationRules(
            data.navigation_words,
            data.navigation_patterns,
            data.navigation_pattern_triggers,
            data.navigation_separators,
            config.navigation,
        )
        self.ads = AdRules(data.ad_keywords, data.ad_contact_patterns, config.ads)
        self.sentence_end = frozenset(data.sentence_end)
        self._phases: dict[tuple, tuple[Callable[[DocumentState, CleanRules], str | None], ...]] = {}

    def phases(self, steps: frozenset[str], python_steps: tuple[tuple[str | None, str], ...] = ()):
        """The phase functions for a source with ``steps`` and ``python_steps`` (built once per source)."""
        key = (steps, python_steps)
        if key not in self._phases:
            self._phases[key] = _phases_for(steps, python_steps)
        return self._phases[key]


@lru_cache(maxsize=4)
def compiled_rules(data: CleanRuleData, config: CleanConfig) -> CleanRules:
    return CleanRules(data, config)


@dataclass
class DocumentState:
    """A document while it is cleaned: its fields, what the rules counted, and the text's character stats."""

    title: str | None
    text: str
    url: str | None = None
    id: str | None = None
    source: str | None = None
    meta: str | None = None
    nav_lines: int = 0
    ad_lines: int = 0
    dup_paragraphs: int = 0
    dup_lines: int = 0
    lang: str | None = None
    lang_score: float | None = None
    drop_lines: frozenset[int] = frozenset()  # line keys the line_dedup step removes
    author: str | None = None  # as the HTML page states them (rules.html); None for text input
    date: str | None = None
    _stats_text: str | None = None
    _stats: tuple[int, int, int] = (0, 0, 0)

    def char_stats(self) -> tuple[int, int, int]:
        """(Han characters, counted characters, non-space characters) of the current text."""
        if self._stats_text is not self.text:
            han, counted = char_stats(self.text)
            self._stats, self._stats_text = (han, counted, count_chars(self.text)), self.text
        return self._stats

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "meta": self.meta,
        }


@dataclass(frozen=True)
class CleanedDocument:
    title: str | None
    text: str
    reason: str | None  # None: kept
    cjk_ratio: float
    n_chars: int
    nav_lines: int = 0
    ad_lines: int = 0
    dup_paragraphs: int = 0
    url: str | None = None
    meta: str | None = None
    lang: str | None = None  # None: the source has no language step
    lang_score: float | None = None
    dup_lines: int = 0
    author: str | None = None
    date: str | None = None
    pending: bool = False  # stopped before line_dedup: the stage counts the lines across documents first


Phase = Callable[[DocumentState, CleanRules], str | None]


def _normalize_characters(doc: DocumentState, rules: CleanRules) -> None:
    doc.text = rules.normalizer.normalize_chars(doc.text)


def _simplify(doc: DocumentState, rules: CleanRules) -> None:
    doc.text = to_simplified(doc.text, rules.config.opencc_config)


def _navigation(doc: DocumentState, rules: CleanRules) -> None:
    doc.text, doc.nav_lines = strip_navigation(doc.text, rules.navigation)


def _symbols_and_whitespace(doc: DocumentState, rules: CleanRules) -> None:
    doc.text = collapse_whitespace(rules.normalizer.remove_special_symbols(doc.text))


def _paragraphs(doc: DocumentState, rules: CleanRules) -> None:
    doc.text, doc.dup_paragraphs = dedup_paragraphs(doc.text, rules.config.paragraphs.min_chars)


def _line_dedup(doc: DocumentState, rules: CleanRules) -> None:
    doc.text, doc.dup_lines = remove_lines(doc.text, doc.drop_lines, rules.config.opencc_config)


def _ads(doc: DocumentState, rules: CleanRules) -> str | None:
    verdict = apply_ad_rules(doc.text, rules.ads)
    doc.text, doc.ad_lines = verdict.text, verdict.ad_lines
    return verdict.reason


def _language(doc: DocumentState, rules: CleanRules) -> str | None:
    lang, score = identify_language(doc.text)
    doc.lang, doc.lang_score = lang, round(score, 4)
    if lang == UNDETERMINED:  # no letters at all: left to the length and CJK-ratio rules
        return None
    config = rules.config.language
    return language_reason(lang, score, LanguageConfig(frozenset(config.accepted), config.min_score))


def _cjk_ratio(doc: DocumentState, rules: CleanRules) -> str | None:
    han, counted, _ = doc.char_stats()
    return cjk_ratio_reason(han, counted, rules.config.filters.min_cjk_ratio)


def _min_length(doc: DocumentState, rules: CleanRules) -> str | None:
    return min_length_reason(doc.char_stats()[2], rules.config.filters.min_chars)


def _no_counted_chars(doc: DocumentState, rules: CleanRules) -> str | None:
    return no_counted_chars_reason(doc.char_stats()[1])


def _title_only(doc: DocumentState, rules: CleanRules) -> str | None:
    return title_only_reason(doc.text, doc.title, rules.config.filters.title_max_chars, rules.sentence_end)


#: (step, phase) in the order they run. A text with no countable character (empty, or punctuation only) is
#: too_short before it is low_cjk_ratio.
PHASES: tuple[tuple[str, Phase], ...] = (
    ("normalize", _normalize_characters),
    ("to_simplified", _simplify),
    ("strip_navigation", _navigation),
    ("normalize", _symbols_and_whitespace),
    ("dedup_paragraphs", _paragraphs),
    ("line_dedup", _line_dedup),  # lines the stage found in many documents (two passes, see clean.line_dedup)
    ("ad_filter", _ads),
    ("cjk_ratio", _cjk_ratio),
    ("min_length", _min_length),
    ("cjk_ratio", _no_counted_chars),
    ("language", _language),  # the model judges what the cheap character rules let through
    ("title_only", _title_only),
)


def _user_phase(target: str) -> Phase:
    def run(doc: DocumentState, rules: CleanRules) -> str | None:
        result = user.apply(target, doc.record())
        if isinstance(result, dict):
            for key, value in result.items():
                setattr(doc, key, value)
            return None
        return result

    return run


def _phases_for(steps: frozenset[str], python_steps: tuple[tuple[str | None, str], ...]) -> tuple[Phase, ...]:
    chosen = [(name, phase) for name, phase in PHASES if name in steps]
    for after, target in python_steps:
        # right after the last phase of the step it follows; first when it follows no clean step
        at = max((i + 1 for i, (name, _) in enumerate(chosen) if name == after), default=0)
        chosen.insert(at, (f"python:{target}", _user_phase(target)))
    return tuple(phase for _, phase in chosen)


def _normalize_title(title: str | None, rules: CleanRules, steps: frozenset[str]) -> str | None:
    if not title:
        return title
    if "normalize" in steps:
        title = collapse_whitespace(rules.normalizer.remove_special_symbols(rules.normalizer.normalize_chars(title)))
    if "to_simplified" in steps:
        title = to_simplified(title, rules.config.opencc_config)
    return title.replace("\n", " ")


def clean_document(
    title: str | None,
    text: str | None,
    html: str | None,
    url: str | None,
    steps: frozenset[str],
    rules: CleanRules,
    python_steps: tuple[tuple[str | None, str], ...] = (),
    doc_id: str | None = None,
    source: str | None = None,
    meta: str | None = None,
    until_line_dedup: bool = False,
) -> CleanedDocument:
    """Apply the clean stage to one document: HTML main-text extraction (always, for HTML input), then the
    phases of the source's ``steps`` (:data:`PHASES`) and its ``python_steps``.

    With ``until_line_dedup`` a document that reaches the ``line_dedup`` phase stops before it and comes back
    ``pending``; :func:`resume_document` runs the rest once the stage knows which of its lines to drop.
    Without it ``line_dedup`` drops nothing (one document alone has no lines repeated across documents).

    :raise corpus_pipeline.steps.user.UserStepError: a python step failed on this document
    """
    author = date = None
    if html is not None:
        extracted = extract_main_text(html, url)
        text, title, author, date = extracted.text, title or extracted.title, extracted.author, extracted.date
    doc = DocumentState(
        title=_normalize_title(title, rules, steps),
        text=text or "",
        url=url,
        id=doc_id,
        source=source,
        meta=meta,
        author=author,
        date=date,
    )
    phases = rules.phases(steps, python_steps)
    stop = phases.index(_line_dedup) if until_line_dedup and _line_dedup in phases else len(phases)
    reason = _run(doc, phases[:stop], rules)
    return _result(doc, reason, pending=reason is None and stop < len(phases))


def resume_document(
    pending: CleanedDocument,
    drop_lines: frozenset[int],
    steps: frozenset[str],
    rules: CleanRules,
    python_steps: tuple[tuple[str | None, str], ...] = (),
    doc_id: str | None = None,
    source: str | None = None,
) -> CleanedDocument:
    """Finish a ``pending`` document: drop the lines whose keys are in ``drop_lines``, then the phases after
    ``line_dedup``.

    :raise corpus_pipeline.steps.user.UserStepError: a python step failed on this document
    """
    doc = DocumentState(
        title=pending.title,
        text=pending.text,
        url=pending.url,
        id=doc_id,
        source=source,
        meta=pending.meta,
        nav_lines=pending.nav_lines,
        dup_paragraphs=pending.dup_paragraphs,
        drop_lines=drop_lines,
        author=pending.author,
        date=pending.date,
    )
    phases = rules.phases(steps, python_steps)
    return _result(doc, _run(doc, phases[phases.index(_line_dedup) :], rules))


def _run(doc: DocumentState, phases: tuple[Phase, ...], rules: CleanRules) -> str | None:
    for phase in phases:
        reason = phase(doc, rules)
        if reason is not None:
            return reason
    return None


def _result(doc: DocumentState, reason: str | None, pending: bool = False) -> CleanedDocument:
    han, counted, n_chars = doc.char_stats()
    ratio = han / counted if counted else 0.0
    return CleanedDocument(
        doc.title,
        doc.text,
        reason,
        round(ratio, 6),
        n_chars,
        doc.nav_lines,
        doc.ad_lines,
        doc.dup_paragraphs,
        doc.url,
        doc.meta,
        doc.lang,
        doc.lang_score,
        doc.dup_lines,
        doc.author,
        doc.date,
        pending,
    )
