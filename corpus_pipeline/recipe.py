"""Typed, validated recipes: which steps run on which source, every threshold, every rule file.

A recipe is a YAML file; :func:`load_recipe` turns it into a frozen :class:`Recipe` and rejects unknown
keys and bad values with an error naming the key (``sources.web.steps[2]: unknown step 'foo'``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from corpus_pipeline.io.resources import missing_hint, resource_dir, shipped_file
from corpus_pipeline.rules.repetition import REASONS as REPETITION_REASONS
from corpus_pipeline.rules.repetition import RepetitionConfig
from corpus_pipeline.rules.webspam import CATEGORIES as WEBSPAM_CATEGORIES
from corpus_pipeline.rules.webspam import WebSpamConfig

DEFAULT_RECIPE_NAME = "recipes/default.yaml"  # under rules/
INPUT_FORMATS = ("jsonl", "parquet", "text", "html", "warc", "wet")


class RecipeError(ValueError):
    """A recipe that does not validate; the message names every offending key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PythonStep(_Strict):
    """A user-defined step, ``{python: "package.module:function"}`` (:mod:`corpus_pipeline.steps.user`)."""

    python: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description="module:function, importable on the driver and the executors",
    )


def _step_entry(value: Any) -> Any:
    """A step's name must be a built-in step's; anything else must be a ``{python: ...}`` mapping."""
    from corpus_pipeline.steps.registry import STEP_NAMES

    if isinstance(value, str):
        if value not in STEP_NAMES:
            raise ValueError(
                f"unknown step {value!r}; the steps are {', '.join(STEP_NAMES)} and {{python: module:function}}"
            )
        return value
    try:
        return PythonStep.model_validate(value)
    except ValidationError:
        raise ValueError("a user-defined step is written {python: package.module:function}") from None


StepEntry = Annotated[str | PythonStep, BeforeValidator(_step_entry)]


class SourceConfig(_Strict):
    steps: tuple[StepEntry, ...] = Field(
        description="built-in steps (corpus_pipeline.steps.registry), in the registry's order, and python: steps, "
        "each running in the stage of the built-in step before it, right after it"
    )
    priority: int = Field(0, description="dedup keeps the copy from the source with the highest priority")

    @field_validator("steps")
    @classmethod
    def _known_steps_in_order(cls, steps: tuple[str | PythonStep, ...]) -> tuple[str | PythonStep, ...]:
        from corpus_pipeline.steps.registry import STEP_NAMES, position

        builtin = [name for name in steps if isinstance(name, str)]
        repeated = sorted({name for name in builtin if builtin.count(name) > 1})
        if repeated:
            raise ValueError(f"step(s) listed twice: {', '.join(repeated)}")
        for first, second in zip(builtin, builtin[1:]):
            if position(first) > position(second):
                raise ValueError(
                    f"{second!r} is listed after {first!r}, but built-in steps run in this order: "
                    f"{', '.join(n for n in STEP_NAMES if n in builtin)}"
                )
        from corpus_pipeline.steps.registry import step

        previous = None
        for index, name in enumerate(steps):
            if isinstance(name, str):
                previous = name
                continue
            if previous == "dedup":
                raise ValueError(
                    f"python: {name.python} follows dedup, which is not a per-document step; list it before dedup"
                )
            later = next((n for n in steps[index + 1 :] if isinstance(n, str)), None)
            stage = step(previous).stage if previous else "clean"
            if stage != "clean" and later is not None and step(later).stage == stage:
                raise ValueError(
                    f"python: {name.python} runs in the {stage} stage after its built-in steps: list it after {later!r}"
                )
        return steps

    def builtin_steps(self) -> frozenset[str]:
        return frozenset(name for name in self.steps if isinstance(name, str))

    def python_steps(self) -> tuple[tuple[str | None, str], ...]:
        """``(built-in step it follows or None, "module:function")`` of every python: step, in order."""
        out, previous = [], None
        for name in self.steps:
            if isinstance(name, str):
                previous = name
            else:
                out.append((previous, name.python))
        return tuple(out)


class InputSpec(_Strict):
    path: str
    source: str | None = None
    format: str | None = None

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        if value is not None and value not in INPUT_FORMATS:
            raise ValueError(f"unknown format {value!r}; expected one of {', '.join(INPUT_FORMATS)}")
        return value


class IngestConfig(_Strict):
    max_document_bytes: int = Field(8 * 2**20, gt=0)
    partitions: int | None = Field(None, gt=0, description="partitions for cleaning; default from input size")
    bytes_per_partition: int = Field(64 * 2**20, gt=0)


class NormalizeConfig(_Strict):
    special_symbols_file: str = "special_symbols.txt"
    fullwidth_keep_file: str = "fullwidth_keep.txt"


class NavigationConfig(_Strict):
    words_file: str = "navigation_words.txt"
    patterns_file: str = "navigation_patterns.txt"
    pattern_triggers_file: str = "navigation_pattern_triggers.txt"
    separators_file: str = "navigation_separators.txt"
    max_line_chars: int = Field(40, gt=0, description="longer lines are never navigation")
    min_separators: int = Field(2, ge=1)
    min_separator_ratio: float = Field(0.08, ge=0, le=1)
    min_menu_words: int = Field(2, ge=1)
    min_menu_word_coverage: float = Field(0.5, ge=0, le=1, description="share of the line menu words must cover")
    min_menu_tokens: int = Field(4, ge=2, description="a line of this many short space-separated tokens is a menu")
    max_menu_token_chars: int = Field(4, ge=1)


class AdConfig(_Strict):
    keywords_file: str = "ad_keywords.txt"
    contact_patterns_file: str = "ad_contact_patterns.txt"
    line_max_chars: int = Field(100, gt=0, description="longer lines are never removed as isolated ad lines")
    line_min_keywords: int = Field(2, ge=1, description="keyword hits that make a line an ad without a contact")
    doc_ad_char_fraction: float = Field(0.3, gt=0, le=1, description="ad lines' share of characters that drops the doc")
    doc_min_hits: int = Field(6, ge=1, description="keyword+contact hits that, at doc_min_hits_per_kchar, drop the doc")
    doc_min_hits_per_kchar: float = Field(8.0, ge=0)


class DocumentFilterConfig(_Strict):
    min_cjk_ratio: float = Field(0.6, ge=0, le=1)
    min_chars: int = Field(150, ge=0)
    title_max_chars: int = Field(
        40, gt=0, description="a line this short without sentence punctuation reads as a title"
    )
    sentence_end_file: str = "sentence_end.txt"


class LanguageStepConfig(_Strict):
    """The clean stage's ``language`` step (:mod:`corpus_pipeline.rules.language`, CLD2): a document whose
    identified language is not accepted, or holds less than ``min_score`` of its letters, is ``not_chinese``."""

    accepted: tuple[str, ...] = Field(("zh", "yue"), min_length=1, description="language codes kept (CLD2 codes)")
    min_score: float = Field(0.3, ge=0, le=1, description="least share of the read letters in the language")


class ParagraphConfig(_Strict):
    min_chars: int = Field(8, ge=1, description="shorter paragraphs are never removed as duplicates")


class LineDedupConfig(_Strict):
    """The clean stage's ``line_dedup`` step (CCNet): a line found in at least ``min_documents`` documents of
    one group is removed from all of them (:mod:`corpus_pipeline.clean.line_dedup`)."""

    scope: Literal["host", "run"] = Field(
        "host",
        description="count a line's documents per URL host (documents without a URL are left alone), "
        "or across the whole run",
    )
    min_documents: int = Field(3, ge=2, description="a line in this many documents of a group is removed")
    keep_first: bool = Field(
        False,
        description="keep the line in the group's first document (higher source priority, longer text, smaller id)",
    )


class CleanConfig(_Strict):
    normalize: NormalizeConfig = NormalizeConfig()
    navigation: NavigationConfig = NavigationConfig()
    paragraphs: ParagraphConfig = ParagraphConfig()
    line_dedup: LineDedupConfig = LineDedupConfig()
    ads: AdConfig = AdConfig()
    filters: DocumentFilterConfig = DocumentFilterConfig()
    language: LanguageStepConfig = LanguageStepConfig()
    opencc_config: str = "t2s"


class SensitiveConfig(_Strict):
    lexicons: tuple[str, ...] = Field(
        ("sensitive",),
        description="word-list files, folders (their *.txt) or globs, relative to rules_dir; "
        "a word's category is its file's stem",
    )
    count: Literal["total", "distinct"] = Field("total", description="count every match, or distinct words")
    max_hits: int = Field(3, ge=0, description="drop a document with more hits than this")
    category_limits: dict[str, int] = Field(
        default_factory=dict, description="drop a document with more hits than this in one category"
    )

    @field_validator("category_limits")
    @classmethod
    def _non_negative_limits(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {name: limit for name, limit in value.items() if limit < 0}
        if bad:
            raise ValueError(f"limits must be >= 0, got {bad}")
        return value


class ClassifierConfig(_Strict):
    model: str = Field(description="fastText model file, relative to models_dir; its card.json lies beside it")
    threshold: float | None = Field(None, ge=0, le=1, description="default: the threshold in the model's card")


class SpamConfig(ClassifierConfig):
    model: str = "spam/model.ftz"


class DomainBlocklistConfig(_Strict):
    """The filter stage's ``blocked_domain`` step (:mod:`corpus_pipeline.rules.domains`)."""

    lists: dict[str, str] = Field(
        {
            "ut1_gambling": "blocklists/ut1_gambling_domains.txt",
            "v2fly_porn": "blocklists/v2fly_porn_domains.txt",
            "houbb_spam": "blocklists/houbb_spam_urls.txt",
        },
        description="list name -> domain list file (relative to rules_dir, or absolute); a document whose URL host "
        "or a parent domain is listed is removed; the first list naming it is reported",
    )
    allowlist: str | None = Field(
        "blocklists/allowlist.txt", description="entries taken out of every list (relative to rules_dir); null: none"
    )

    @field_validator("lists")
    @classmethod
    def _named_lists(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value if not re.fullmatch(r"[a-z0-9_]+", name)]
        if bad:
            raise ValueError(f"list names must be snake_case: {', '.join(bad)}")
        return value


class BenchmarkFileConfig(_Strict):
    """One benchmark whose questions must not be in the corpus (:class:`corpus_pipeline.rules.decontamination.BenchmarkSpec`)."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+$", description="the benchmark's name in the benchmark column and stats"
    )
    path: str = Field(
        description="a file, a folder (every file of the format below it) or a glob; relative: to data_dir"
    )
    format: Literal["csv", "json", "jsonl"] = Field(
        "jsonl", description="csv with a header row, one JSON document per file, or JSON lines (.gz allowed)"
    )
    question_field: str = Field("question", description="the field holding the question (stem)")
    option_fields: tuple[str, ...] = Field(
        (),
        description="fields holding one option each, or one field holding a list; none: options are split out of the question at A./B. markers",
    )
    id_field: str | None = Field(None, description="the item's id field; empty or null: its row number in the file")
    items_path: str | None = Field(
        None, description="json format: dotted key of the list of items (empty: the top level)"
    )


class DecontaminationConfig(_Strict):
    """The filter stage's ``benchmark_overlap`` step (:mod:`corpus_pipeline.rules.decontamination`): a document that
    contains a benchmark question (with or without its options, in any order, lightly edited) is removed.
    ``ngram`` and the overlap rule were chosen by ``bench/decontamination_bench.py`` (``bench/RESULTS.md``)."""

    data_dir: str | None = Field(
        None,
        description="relative benchmark paths resolve against this (itself relative to the recipe file's folder); null: the current directory",
    )
    benchmarks: tuple[BenchmarkFileConfig, ...] = Field(
        (), description="the benchmarks; none: the step removes nothing"
    )
    missing: Literal["error", "warn"] = Field(
        "error",
        description="a benchmark whose files are missing: stop before Spark starts, or warn, skip it and say so in stats.json and the report",
    )
    ngram: int = Field(6, ge=2, le=32, description="characters per n-gram of the normalized text")
    max_items_per_ngram: int = Field(20, ge=1, description="an n-gram in more items than this is generic and ignored")
    fraction: float = Field(0.6, gt=0, le=1, description="share of a view's n-grams (with options) a document needs")
    question_fraction: float = Field(0.7, gt=0, le=1, description="share of the question's n-grams a document needs")
    min_question_chars: int = Field(10, ge=1, description="a question alone counts only when at least this long")
    min_ngrams: int = Field(3, ge=1, description="fewest n-grams of a view that can match")
    stem_evidence: int = Field(0, ge=0, description="question n-grams a view with options needs")
    option_evidence: int = Field(2, ge=1, description="option n-grams (not the question's) a view with options needs")

    @field_validator("benchmarks")
    @classmethod
    def _unique_names(cls, value: tuple[BenchmarkFileConfig, ...]) -> tuple[BenchmarkFileConfig, ...]:
        names = [benchmark.name for benchmark in value]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"benchmark names must be unique: {', '.join(twice)}")
        return value


class WebSpamStepConfig(_Strict):
    """The filter stage's ``webspam`` step (:mod:`corpus_pipeline.rules.webspam`): gambling, porn and SEO-spam
    pages. ``scoring`` holds the weights and the per-category thresholds (chosen on calibration half a of the
    labelled web set, ``bench/RESULTS.md``)."""

    lexicons: str = Field(
        "webspam", description="folder of <category>-<tier>.txt lexicon files (each with its source and licence)"
    )
    scoring: WebSpamConfig = WebSpamConfig()

    @field_validator("scoring")
    @classmethod
    def _known_categories(cls, value: WebSpamConfig) -> WebSpamConfig:
        unknown = sorted({name for name, _ in value.thresholds} - set(WEBSPAM_CATEGORIES))
        if unknown:
            raise ValueError(f"thresholds: unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}")
        return value


def _known_repetition_rules(value: RepetitionConfig) -> RepetitionConfig:
    unknown = [name for name in value.rules if name not in REPETITION_REASONS]
    if unknown:
        raise ValueError(f"rules: unknown rule(s) {', '.join(unknown)}; the rules are {', '.join(REPETITION_REASONS)}")
    return value


class FilterConfig(_Strict):
    domains: DomainBlocklistConfig = DomainBlocklistConfig()
    decontamination: DecontaminationConfig = DecontaminationConfig()
    webspam: WebSpamStepConfig = WebSpamStepConfig()
    repetition: Annotated[RepetitionConfig, AfterValidator(_known_repetition_rules)] = Field(
        RepetitionConfig(), description="the repetition step's rules (each its own reason) and their limits"
    )
    sensitive: SensitiveConfig = SensitiveConfig()
    spam: SpamConfig = SpamConfig()


class QualityConfig(ClassifierConfig):
    model: str = "quality/model.ftz"
    mode: Literal["threshold", "pareto"] = Field(
        "threshold", description="keep when score >= threshold, or GPT-3's rule: keep when pareto(alpha) > 1 - score"
    )
    pareto_alpha: float = Field(9.0, gt=0)
    seed: int = Field(0, description="seeds the per-document Pareto draw together with the document id")


class PiiMaskConfig(_Strict):
    """The quality stage's ``mask_pii`` step (:mod:`corpus_pipeline.rules.pii`), run last: scores are computed on
    the text as it came, the masked text is what is kept."""

    types: tuple[Literal["ID", "MOBILE", "PHONE", "EMAIL", "IP", "BANK_CARD", "QQ", "WECHAT"], ...] = Field(
        ("ID", "MOBILE", "PHONE", "EMAIL", "IP", "BANK_CARD", "QQ", "WECHAT"), description="the PII types masked"
    )
    placeholder: str = Field("<PII:{type}>", description="the replacement; {type} is the PII type")
    rules: str = Field("pii", description="folder of the PII word and code lists, relative to rules_dir")

    @field_validator("placeholder")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            value.format(type="ID")
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"placeholder must be a template with {{type}} only: {error}") from None
        return value


class PerplexityConfig(_Strict):
    """The quality stage's KenLM step: per-document perplexity, CCNet's head/middle/tail buckets, optional filter."""

    model: str = Field("kenlm/model.klm", description="KenLM binary, relative to models_dir; card.json beside it")
    bucket_percentiles: tuple[float, float] = Field(
        (30.0, 60.0),
        description="perplexity percentiles (over the stage's scored documents) that end head and "
        "middle (CCNet: 30, 60)",
    )
    max_perplexity: float | None = Field(
        None, gt=0, description="drop scored documents above this perplexity as high_perplexity; null: no filter"
    )
    quantile_error: float = Field(0.001, ge=0, lt=1, description="relative error of Spark's approxQuantile")

    @field_validator("bucket_percentiles")
    @classmethod
    def _ordered_percentiles(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not 0 < value[0] < value[1] < 100:
            raise ValueError(f"need 0 < head < middle < 100, got {list(value)}")
        return value


class DedupConfig(_Strict):
    ngram: int = Field(5, ge=1, description="characters per shingle")
    num_perm: int = Field(128, ge=1, le=1024, description="MinHash permutations")
    seed: int = Field(1, ge=0, description="seeds the permutations (datasketch's default is 1)")
    threshold: float = Field(
        0.8, gt=0, le=1, description="Jaccard similarity at or above which documents are duplicates"
    )
    bands: int | None = Field(None, ge=1, description="LSH bands; default: optimal for the threshold")
    rows: int | None = Field(None, ge=1, description="rows per band; set together with bands")
    false_positive_weight: float = Field(
        0.05, ge=0, le=1, description="low by default: verification removes LSH false positives, misses are lost"
    )
    false_negative_weight: float = Field(0.95, ge=0, le=1)
    verify: Literal["exact", "signature", "off"] = Field(
        "exact",
        description="check each LSH candidate pair: exact Jaccard of the two texts' shingle sets, the "
        "MinHash estimate from the full signatures, or not at all",
    )
    opencc_config: str = Field("t2s", description="OpenCC conversion applied before hashing")
    max_rounds: int = Field(64, ge=1, description="connected-components rounds before giving up")
    partitions: int | None = Field(None, gt=0, description="shuffle partitions; default: from the input size")
    bytes_per_partition: int = Field(128 * 2**20, gt=0, description="input parquet bytes per shuffle partition")
    checkpoint_dir: str | None = Field(None, description="reliable checkpoints here; default: under the output")

    @model_validator(mode="after")
    def _bands_and_rows(self) -> DedupConfig:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither")
        if self.bands is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands * rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        return self


class MixtureConfig(_Strict):
    epochs: float = Field(1.0, gt=0, description="passes over this source's tokens in a training run (PanGu-α Table 4)")


class PackConfig(_Strict):
    tokenizer: str = Field(
        "tokenizer",
        description="our tokenizer directory, a Hugging Face tokenizer.json or a SentencePiece .model, "
        "relative to models_dir",
    )
    eod_token: str | None = Field(
        None, description="the token ending each document; null: <eod> for ours, else the tokenizer's end of sequence"
    )
    bytes_per_shard: int = Field(
        256 * 2**20, gt=0, description="input parquet bytes per partition (it writes one shard per source it holds)"
    )
    partitions: int | None = Field(
        None, gt=0, description="shard partitions; default: one per bytes_per_shard of input, at least one per core"
    )
    mixture: dict[str, MixtureConfig] = Field(
        default_factory=dict, description="per-source epochs; the manifest turns them into sampling weights"
    )


class Recipe(_Strict):
    version: int = 1
    rules_dir: str | None = Field(
        None,
        description="rule files are relative to this; default: the checkout's "
        "rules/, or the one shipped with spark-submit --archives",
    )
    models_dir: str | None = Field(
        None,
        description="model files are relative to this; default: the checkout's "
        "models/, or the one shipped with spark-submit --archives",
    )
    default_source: str = "web"
    inputs: tuple[InputSpec, ...] = ()
    sources: dict[str, SourceConfig]
    ingest: IngestConfig = IngestConfig()
    clean: CleanConfig = CleanConfig()
    filter: FilterConfig = FilterConfig()
    quality: QualityConfig = QualityConfig()
    perplexity: PerplexityConfig = PerplexityConfig()
    pii: PiiMaskConfig = PiiMaskConfig()
    dedup: DedupConfig = DedupConfig()
    pack: PackConfig = PackConfig()

    @field_validator("version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"unsupported recipe version {value}; this code reads version 1")
        return value

    @model_validator(mode="after")
    def _default_source_defined(self) -> Recipe:
        if "default" not in self.sources:
            raise ValueError("sources must define 'default' (the steps for sources the recipe does not name)")
        return self

    @model_validator(mode="after")
    def _mixture_sources_defined(self) -> Recipe:
        unknown = sorted(set(self.pack.mixture) - set(self.sources))
        if unknown:
            raise ValueError(f"pack.mixture names source(s) the recipe does not define: {', '.join(unknown)}")
        return self

    def source_config(self, source: str) -> SourceConfig:
        return self.sources.get(source) or self.sources["default"]

    def steps_for(self, source: str) -> frozenset[str]:
        """The built-in steps ``source`` goes through (sources the recipe does not name use ``default``)."""
        return self.source_config(source).builtin_steps()

    def uses_step(self, step: str) -> bool:
        """Whether any source (the default included) runs ``step``."""
        return any(step in self.steps_for(name) for name in self.sources)

    def rules_path(self, name: str) -> Path:
        base = Path(self.rules_dir) if self.rules_dir else resource_dir("rules")
        return base / name

    def models_path(self, name: str) -> Path:
        base = Path(self.models_dir) if self.models_dir else resource_dir("models")
        return base / name

    def sha256(self) -> str:
        """Digest of the settings, not of where files are: ``rules_dir``, ``models_dir`` and the benchmarks'
        ``data_dir`` (resolved against the recipe file's folder, so they differ between a checkout and a copy
        shipped with ``--files``) are left out; the stages fingerprint the files' contents instead."""
        settings = self.model_dump(mode="json")
        settings.pop("rules_dir"), settings.pop("models_dir"), settings["filter"]["decontamination"].pop("data_dir")
        canonical = json.dumps(settings, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _format_errors(error: ValidationError, origin: str) -> str:
    lines = [f"invalid recipe {origin}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key")
        else:
            lines.append(f"  {key}: {item['msg']} (got {item.get('input')!r})")
    return "\n".join(lines)


def parse_recipe(data: Any, origin: str = "<recipe>") -> Recipe:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RecipeError(f"invalid recipe {origin}: the top level must be a mapping, got {type(data).__name__}")
    try:
        return Recipe.model_validate(data)
    except ValidationError as error:
        raise RecipeError(_format_errors(error, origin)) from None


def read_recipe_text(path: Path) -> str:
    """The recipe file's text; a path that is missing, a folder, unreadable or not UTF-8 is a :class:`RecipeError`."""
    if path.is_dir():
        raise RecipeError(f"recipe {path}: is a folder, not a YAML file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecipeError(f"recipe {path}: no such file") from None
    except PermissionError:
        raise RecipeError(f"recipe {path}: permission denied") from None
    except OSError as error:
        raise RecipeError(f"recipe {path}: cannot read it ({error.strerror or error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecipeError(
            f"recipe {path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def load_recipe(path: str | Path | None = None) -> Recipe:
    """Load and validate a YAML recipe (the shipped default when ``path`` is None)."""
    if not path:
        path = resource_dir("rules") / DEFAULT_RECIPE_NAME
        if not path.is_file():
            raise RecipeError(f"default recipe {path} not found: {missing_hint('rules')}")
    path = shipped_file(path)
    try:
        data = yaml.safe_load(read_recipe_text(path))
    except yaml.YAMLError as error:
        raise RecipeError(f"invalid recipe {path}: not YAML ({error})") from None
    recipe = parse_recipe(data, str(path))
    for key in ("rules_dir", "models_dir"):
        value = getattr(recipe, key)
        if value and not Path(value).is_absolute():
            recipe = recipe.model_copy(update={key: str((path.parent / value).resolve())})
    data_dir = recipe.filter.decontamination.data_dir
    if data_dir and not Path(data_dir).is_absolute():
        decontamination = recipe.filter.decontamination.model_copy(
            update={"data_dir": str((path.parent / data_dir).resolve())}
        )
        recipe = recipe.model_copy(
            update={"filter": recipe.filter.model_copy(update={"decontamination": decontamination})}
        )
    return recipe
