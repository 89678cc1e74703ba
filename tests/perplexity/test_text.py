from corpus_pipeline.perplexity.text import lm_lines


def test_each_nonblank_line_becomes_one_sentence_of_character_tokens():
    text = "第1季度GDP增长5.3%\n\n  Hello，世界 \n\t\n"
    assert list(lm_lines(text)) == ["第 0 季 度 gdp 增 长 0 . 0 %", "hello ， 世 界"]


def test_full_width_letters_and_digits_fold_like_ascii():
    assert list(lm_lines("ＡＢＣ１２３")) == list(lm_lines("abc456")) == ["abc 000"]


def test_no_text_gives_no_sentence():
    assert list(lm_lines(None)) == list(lm_lines("")) == list(lm_lines(" \n\u3000\n")) == []


def test_reserved_kenlm_tokens_cannot_be_produced():
    assert list(lm_lines("<s></s><unk>")) == ["< s > < / s > < unk >"]
