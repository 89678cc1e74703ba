"""Acceptance (issue 20): the text the clean stage keeps from real pages, scored against gold main text.

Each page's HTML goes through ``clean_document`` with the recipe's ``web`` steps (main-text extraction, normalize,
to_simplified, strip_navigation, dedup_paragraphs, ad_filter, document filters); the kept text ("" when the page
is removed) is scored with the bag-of-characters F1 of ``corpus_eval.extraction_gold`` against

* the 69 hand-made gold texts of ``web_html/extraction_gold`` (gold in the pipeline's character normalization
  and script), and
* the page-derived reference of the 62 GNE news pages (``gne_reference``).

The bar (mean P, R and F1 >= 0.90) applies to the pages that should be kept: those whose own gold text the
clean chain keeps (68 and 56; the others are too short or mostly not Chinese even in the gold). Figures over
all pages and over the seeded held-out half of the gold set are checked against looser, measured floors.
Measured (2 vCPU machine, resiliparse 2.0.1): gold kept 0.926 / 0.959 / 0.926 (P / R / F1), gold all
0.927 / 0.949 / 0.920, held-out half 0.884 / 0.956 / 0.899, GNE kept 0.980 / 0.989 / 0.984, GNE all
0.899 / 0.925 / 0.907; the extractor before issue 20 had gold kept 0.837 / 0.992 / 0.889 and GNE kept
0.793 / 0.995 / 0.861.
"""

from __future__ import annotations

import pytest

from corpus_eval.extraction_gold import (
    author_matches,
    char_prf,
    date_matches,
    held_out,
    load_extraction_gold,
    load_gne,
    mean_prf,
)
from corpus_pipeline.clean.document import clean_document
from corpus_pipeline.rules.html import extract_main_text
from corpus_pipeline.rules.simplify import to_simplified

BAR = 0.90
MIN_ALL_F1 = 0.90  # every page, including those that should not be kept: measured 0.920 (gold), 0.907 (GNE)
MIN_HELD_OUT_F1 = 0.87  # the 29 held-out gold pages that should be kept: measured 0.899
MIN_AUTHOR_ACCURACY = 0.55  # of the 50 gold pages that state an author: measured 30 / 50
MIN_DATE_ACCURACY = 0.75  # of the 56 gold pages that state a date, day level: measured 44 / 56
MAX_FALSE_STATEMENTS = 4  # author or date returned for a page whose gold says it states none: measured 2


@pytest.fixture(scope="module")
def chain(recipe, rules):
    steps = recipe.steps_for("web")
    normalizer = rules.normalizer

    def kept(html: str | None = None, text: str | None = None) -> str:
        cleaned = clean_document(None, text, html, None, steps, rules)
        return "" if cleaned.reason else cleaned.text

    def gold(text: str) -> str:
        return normalizer.remove_special_symbols(to_simplified(normalizer.normalize_chars(text)))

    return kept, gold


def _score(pages, chain):
    kept, gold = chain
    scores = {page.name: char_prf(kept(html=page.html), gold(page.text)) for page in pages}
    should_keep = {page.name for page in pages if kept(text=page.text)}
    return scores, should_keep


@pytest.fixture(scope="module")
def gold_pages(shared_data):
    folder = shared_data / "web_html" / "extraction_gold"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    pages = load_extraction_gold(folder)
    assert len(pages) == 69
    return pages


@pytest.fixture(scope="module")
def gold_scores(gold_pages, chain):
    return _score(gold_pages, chain)


@pytest.fixture(scope="module")
def gne_scores(shared_data, chain):
    folder = shared_data / "web_html" / "gne"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    pages = load_gne(folder)
    assert len(pages) == 62
    return _score(pages, chain)


def _assert_bar(scores, should_keep, expected_kept):
    assert len(should_keep) == expected_kept
    mean = mean_prf(scores[name] for name in should_keep)
    assert mean.precision >= BAR and mean.recall >= BAR and mean.f1 >= BAR, mean
    assert mean_prf(scores.values()).f1 >= MIN_ALL_F1


def test_gold_pages_meet_the_bar(gold_scores):
    _assert_bar(*gold_scores, expected_kept=68)


def test_gne_pages_meet_the_bar(gne_scores):
    _assert_bar(*gne_scores, expected_kept=56)


def test_held_out_half_of_the_gold_pages(gold_scores):
    scores, should_keep = gold_scores
    held = [name for name in should_keep if held_out(name)]
    assert len(held) == 29
    assert mean_prf(scores[name] for name in held).f1 >= MIN_HELD_OUT_F1


def test_author_and_date_accuracy(gold_pages):
    extracted = {page.name: extract_main_text(page.html) for page in gold_pages}
    stated_authors = [page for page in gold_pages if page.author is not None]
    stated_dates = [page for page in gold_pages if page.date is not None]
    assert (len(stated_authors), len(stated_dates)) == (50, 56)
    authors = sum(author_matches(extracted[page.name].author, page.author) for page in stated_authors)
    dates = sum(date_matches(extracted[page.name].date, page.date) for page in stated_dates)
    assert authors >= MIN_AUTHOR_ACCURACY * len(stated_authors)
    assert dates >= MIN_DATE_ACCURACY * len(stated_dates)
    false = sum(extracted[page.name].author is not None for page in gold_pages if page.author is None)
    false += sum(extracted[page.name].date is not None for page in gold_pages if page.date is None)
    assert false <= MAX_FALSE_STATEMENTS
