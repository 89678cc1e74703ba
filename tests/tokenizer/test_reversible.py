from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_pipeline.tokenizer.reversible import (
    ESCAPE_SYMBOL,
    NEWLINE_SYMBOL,
    SPACE_SYMBOL,
    WHITESPACE_SYMBOL,
    escape_word,
    join_words,
    join_words_slow,
    unescape,
)

# Valid Unicode scalar values (documents are UTF-8: no lone surrogates).
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)


def test_cpm_symbols_for_spaces_and_newlines():
    assert join_words(["我", " ", "爱", "\n", "北京"]) == "我 ▂ 爱 ▃ 北京"
    assert unescape("我 ▂ 爱 ▃ 北京") == "我 爱\n北京"


def test_reserved_symbols_in_the_text_are_escaped():
    text = f"a{WHITESPACE_SYMBOL}b{SPACE_SYMBOL}c{NEWLINE_SYMBOL}d{ESCAPE_SYMBOL}e{ESCAPE_SYMBOL}1"
    assert escape_word(text) == "a▄1b▄2c▄3d▄4e▄41"
    assert " " not in escape_word(text) and SPACE_SYMBOL not in escape_word(text)
    assert unescape(escape_word(text)) == text


def test_lone_escape_symbol_at_the_end_is_kept():
    assert unescape("ab" + ESCAPE_SYMBOL) == "ab" + ESCAPE_SYMBOL


@settings(max_examples=500, deadline=None)
@given(st.lists(unicode_text.filter(bool), max_size=20))
def test_unescape_inverts_join_for_any_words(words):
    joined = join_words(words)
    assert "\n" not in joined
    assert unescape(joined) == "".join(words)


@settings(max_examples=300, deadline=None)
@given(st.lists(unicode_text.filter(bool), max_size=20))
def test_escaped_words_hold_no_boundary(words):
    for word in words:
        escaped = escape_word(word)
        assert " " not in escaped and "\n" not in escaped and WHITESPACE_SYMBOL not in escaped


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.text(st.characters(exclude_categories=("Cs",))) | st.text(st.sampled_from("\ue000\ue001\ue002 a\n")),
        max_size=20,
    )
)
def test_fast_join_equals_word_by_word(words):
    assert join_words(words) == join_words_slow(words)


def test_join_falls_back_when_every_separator_is_taken():
    words = ["".join(chr(code) for code in range(0xE000, 0xE020)), " ", "x"]
    assert join_words(words) == join_words_slow(words) == words[0] + " ▂ x"
