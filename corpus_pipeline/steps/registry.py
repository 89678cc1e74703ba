"""Every built-in document step, one entry each: its recipe name, stage, config, pure function and reasons.

A source's ``steps`` in a recipe name entries of :data:`STEPS` (and user-defined ``python:`` steps, see
:mod:`corpus_pipeline.steps.user`). Built-in steps run in the order of :data:`STEPS` (the stages' order, then
each stage's own): a recipe must list them in that order, and one that does not is an error naming the
source and the steps out of place, so a recipe's order is never silently ignored. Adding a step is one
module (its pure function and config) and one line here.

An entry's ``function`` is the step's pure function as ``module:attribute`` (imported only where it runs):
text or a record in; new text, a score or a removal reason out. ``config`` is the recipe key of its settings
(``clean.navigation`` is :class:`corpus_pipeline.recipe.NavigationConfig`; :func:`config_type` gives the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any, Literal

StepKind = Literal["mapper", "filter", "scorer"]


@dataclass(frozen=True)
class StepSpec:
    """One built-in step.

    ``kind``: a *mapper* changes text and removes nothing; a *filter* removes documents (with one of
    ``reasons``); a *scorer* adds ``columns`` and removes only when the recipe sets a threshold.
    """

    name: str
    stage: str
    kind: StepKind
    summary: str
    function: str
    config: str | None = None
    reasons: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    def load(self) -> Any:
        """The step's pure function."""
        module, _, attribute = self.function.partition(":")
        value: Any = import_module(module)
        for part in attribute.split("."):
            value = getattr(value, part)
        return value


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "normalize",
        "clean",
        "mapper",
        "invisible/control characters, full-width ASCII; then special symbols "
        "and whitespace (after strip_navigation: menus use symbols as separators)",
        "corpus_pipeline.rules.normalize:Normalizer.normalize_chars",
        "clean.normalize",
    ),
    StepSpec(
        "to_simplified",
        "clean",
        "mapper",
        "traditional to simplified script (OpenCC)",
        "corpus_pipeline.rules.simplify:to_simplified",
        "clean.opencc_config",
    ),
    StepSpec(
        "strip_navigation",
        "clean",
        "mapper",
        "menu, breadcrumb, share, pagination and footer lines",
        "corpus_pipeline.rules.navigation:strip_navigation",
        "clean.navigation",
        columns=("nav_lines",),
    ),
    StepSpec(
        "dedup_paragraphs",
        "clean",
        "mapper",
        "a repeated paragraph keeps its first occurrence",
        "corpus_pipeline.rules.paragraphs:dedup_paragraphs",
        "clean.paragraphs",
        columns=("dup_paragraphs",),
    ),
    StepSpec(
        "line_dedup",
        "clean",
        "mapper",
        "a line found in many documents of one site (or of the run) is boilerplate: removed from all of them",
        "corpus_pipeline.rules.line_dedup:remove_lines",
        "clean.line_dedup",
        columns=("dup_lines",),
    ),
    StepSpec(
        "ad_filter",
        "clean",
        "filter",
        "ad documents dropped, isolated ad lines removed",
        "corpus_pipeline.rules.ads:apply_ad_rules",
        "clean.ads",
        ("ad_keywords",),
        ("ad_lines",),
    ),
    StepSpec(
        "cjk_ratio",
        "clean",
        "filter",
        "too few Chinese characters among the counted characters",
        "corpus_pipeline.rules.document_filters:cjk_ratio_reason",
        "clean.filters",
        ("low_cjk_ratio",),
        ("cjk_ratio",),
    ),
    StepSpec(
        "min_length",
        "clean",
        "filter",
        "fewer non-space characters than min_chars",
        "corpus_pipeline.rules.document_filters:min_length_reason",
        "clean.filters",
        ("too_short",),
        ("n_chars",),
    ),
    StepSpec(
        "language",
        "clean",
        "filter",
        "identified language (CLD2, pycld2's bundled model) not Chinese, or too small a share of the letters",
        "corpus_pipeline.rules.language:identify_language",
        "clean.language",
        ("not_chinese",),
        ("lang", "lang_score"),
    ),
    StepSpec(
        "title_only",
        "clean",
        "filter",
        "only a title, or only title-like lines",
        "corpus_pipeline.rules.document_filters:title_only_reason",
        "clean.filters",
        ("title_only",),
    ),
    StepSpec(
        "blocked_domain",
        "filter",
        "filter",
        "the URL's host or a parent domain is on a domain blocklist (gambling, porn, spam sites)",
        "corpus_pipeline.rules.domains:blocked_by",
        "filter.domains",
        ("blocked_domain",),
        ("blocked_list", "blocked_host"),
    ),
    StepSpec(
        "benchmark_overlap",
        "filter",
        "filter",
        "contains a benchmark question (CMMLU, GAOKAO-Bench or the recipe's), with or without its options, "
        "reordered or lightly edited",
        "corpus_pipeline.rules.decontamination:BenchmarkIndex.match",
        "filter.decontamination",
        ("benchmark_overlap",),
        ("benchmark", "benchmark_item"),
    ),
    StepSpec(
        "webspam",
        "filter",
        "filter",
        "gambling, porn and SEO-spam pages: category lexicons (look-alike characters undone) scored by density, "
        "distinct words, title, first and last lines, and brands spliced into prose",
        "corpus_pipeline.rules.webspam:webspam_verdict",
        "filter.webspam",
        ("gambling", "porn", "seo_spam"),
        ("webspam_score", "webspam_category"),
    ),
    StepSpec(
        "repetition",
        "filter",
        "filter",
        "repeated lines, paragraphs and character n-grams, headline/keyword lists without sentence endings, "
        "fragment pages, symbol/emoji/hashtag floods, title stuffing (Gopher/FineWeb for Chinese)",
        "corpus_pipeline.rules.repetition:repetition_reason",
        "filter.repetition",
        (
            "repetitive_lines",
            "repetitive_ngrams",
            "few_sentence_endings",
            "short_lines",
            "symbol_ratio",
            "title_stuffing",
        ),
    ),
    StepSpec(
        "sensitive_words",
        "filter",
        "filter",
        "more sensitive-lexicon hits than max_hits (or a category limit)",
        "corpus_pipeline.rules.sensitive:sensitive_reason",
        "filter.sensitive",
        ("sensitive_words",),
        ("sensitive_hits", "sensitive_categories"),
    ),
    StepSpec(
        "spam",
        "filter",
        "filter",
        "fastText spam classifier score above its threshold",
        "corpus_pipeline.classify.model:score",
        "filter.spam",
        ("spam",),
        ("spam_score",),
    ),
    StepSpec(
        "quality",
        "quality",
        "filter",
        "GPT-3-style quality classifier: keep by threshold or Pareto draw",
        "corpus_pipeline.quality.batch:keep_mask",
        "quality",
        ("low_quality",),
        ("quality_score",),
    ),
    StepSpec(
        "perplexity",
        "quality",
        "scorer",
        "KenLM perplexity and CCNet bucket; removes above max_perplexity",
        "corpus_pipeline.perplexity.model:perplexities",
        "perplexity",
        ("high_perplexity",),
        ("perplexity", "ppl_bucket"),
    ),
    StepSpec(
        "mask_pii",
        "quality",
        "mapper",
        "personal data (ID, phone, e-mail, IP, bank card, QQ, WeChat) replaced by typed placeholders",
        "corpus_pipeline.rules.pii:mask_pii",
        "pii",
        columns=("pii_masked",),
    ),
    StepSpec(
        "dedup",
        "dedup",
        "filter",
        "exact, then MinHash-LSH near-duplicates across all sources",
        "corpus_pipeline.dedup.batch:signatures_of",
        "dedup",
        ("exact_duplicate", "near_duplicate"),
        ("duplicate_of",),
    ),
)

STEP_NAMES: tuple[str, ...] = tuple(step.name for step in STEPS)
_BY_NAME = {step.name: step for step in STEPS}


def step(name: str) -> StepSpec:
    """The built-in step called ``name``; KeyError when there is none."""
    return _BY_NAME[name]


def position(name: str) -> int:
    """Where ``name`` runs among the built-in steps."""
    return STEP_NAMES.index(name)


def steps_of(stage: str) -> tuple[StepSpec, ...]:
    return tuple(spec for spec in STEPS if spec.stage == stage)


def reasons_of(stage: str) -> tuple[str, ...]:
    """The removal reasons the built-in steps of ``stage`` can give, in step order."""
    return tuple(reason for spec in steps_of(stage) for reason in spec.reasons)


@cache
def config_type(name: str) -> type | None:
    """The pydantic class of step ``name``'s recipe section (None for a plain setting or no config)."""
    from corpus_pipeline.recipe import Recipe

    spec = step(name)
    if spec.config is None:
        return None
    model: Any = Recipe
    for key in spec.config.split("."):
        annotation = model.model_fields[key].annotation
        if not isinstance(annotation, type) or not hasattr(annotation, "model_fields"):
            return None
        model = annotation
    return model
