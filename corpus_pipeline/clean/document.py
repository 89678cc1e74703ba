"""Cleaning one document: the rules of the clean stage in their fixed order, gated by the source's steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from corpus_pipeline.recipe import CleanConfig
from corpus_pipeline.rules.ads import AdRules, apply_ad_rules
from corpus_pipeline.rules.document_filters import char_stats, count_chars, document_reason
from corpus_pipeline.rules.html import extract_main_text
from corpus_pipeline.rules.navigation import NavigationRules, strip_navigation
from corpus_pipeline.rules.normalize import Normalizer, collapse_whitespace
from corpus_pipeline.rules.paragraphs import dedup_paragraphs
from corpus_pipeline.rules.ruledata import CleanRuleData
from corpus_pipeline.rules.simplify import to_simplified


class CleanRules:
    """The clean stage's rules compiled for one recipe: built once per worker process."""

    def __init__(self, data: CleanRuleData, config: CleanConfig):
        self.config = config
        self.normalizer = Normalizer(data.special_symbols, data.fullwidth_keep)
        self.navigation = NavigationRules(
            data.navigation_words, data.navigation_patterns, data.navigation_pattern_triggers,
            data.navigation_separators, config.navigation,
        )
        self.ads = AdRules(data.ad_keywords, data.ad_contact_patterns, config.ads)
        self.sentence_end = frozenset(data.sentence_end)


@lru_cache(maxsize=4)
def compiled_rules(data: CleanRuleData, config: CleanConfig) -> CleanRules:
    return CleanRules(data, config)


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


def _normalize_title(title: str | None, rules: CleanRules, steps: frozenset[str]) -> str | None:
    if not title:
        return title
    if "normalize" in steps:
        title = collapse_whitespace(rules.normalizer.remove_special_symbols(rules.normalizer.normalize_chars(title)))
    if "to_simplified" in steps:
        title = to_simplified(title, rules.config.opencc_config)
    return title.replace("\n", " ")


def clean_document(title: str | None, text: str | None, html: str | None, url: str | None,
                   steps: frozenset[str], rules: CleanRules) -> CleanedDocument:
    """Apply the clean stage to one document.

    Order: HTML main-text extraction (always, for HTML input); character normalization (invisible characters, full-width folding);
    traditional to simplified; navigation lines; special symbols and whitespace; duplicated paragraphs;
    advertisement rules; then the document filters (low_cjk_ratio, too_short, title_only).
    Navigation lines are found before special symbols are removed, as menus use symbols as separators.
    """
    if html is not None:
        extracted = extract_main_text(html, url)
        text, title = extracted.text, title or extracted.title
    text = text or ""
    title = _normalize_title(title, rules, steps)
    nav_lines = ad_lines = dup_paragraphs = 0
    if "normalize" in steps:
        text = rules.normalizer.normalize_chars(text)
    if "to_simplified" in steps:
        text = to_simplified(text, rules.config.opencc_config)
    if "strip_navigation" in steps:
        text, nav_lines = strip_navigation(text, rules.navigation)
    if "normalize" in steps:
        text = collapse_whitespace(rules.normalizer.remove_special_symbols(text))
    if "dedup_paragraphs" in steps:
        text, dup_paragraphs = dedup_paragraphs(text, rules.config.paragraphs.min_chars)
    reason = None
    if "ad_filter" in steps:
        verdict = apply_ad_rules(text, rules.ads)
        reason, text, ad_lines = verdict.reason, verdict.text, verdict.ad_lines
    han, counted = char_stats(text)
    n_chars = count_chars(text)
    if reason is None:
        filters = rules.config.filters
        reason = document_reason(text, title, han, counted, n_chars, steps, filters.min_cjk_ratio,
                                 filters.min_chars, filters.title_max_chars, rules.sentence_end)
    ratio = han / counted if counted else 0.0
    return CleanedDocument(title, text, reason, round(ratio, 6), n_chars, nav_lines, ad_lines, dup_paragraphs)
