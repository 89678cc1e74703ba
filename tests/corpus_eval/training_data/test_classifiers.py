"""The derived training files: seeded, deterministic bytes, documents long enough for the filter stages."""

from __future__ import annotations

import gzip
import json

from corpus_eval.demo.snownlp_text import cjk_count
from corpus_eval.training_data import classifiers as D


def test_ad_pages_are_seeded():
    first = D.ad_pages(20, seed=0)
    assert first == D.ad_pages(20, seed=0) != D.ad_pages(20, seed=1)
    assert [r["id"] for r in first[:3]] == ["ad-0", "ad-1", "ad-2"]
    assert all(len("".join(r["text"].split())) >= D.MIN_CHARS for r in first)
    assert all(r["text"].splitlines()[-1].startswith("联系电话：") for r in first)


def test_reviews_grouped_into_documents():
    docs = D.reviews(seed=0)
    assert len(docs) > 3000 and docs == D.reviews(seed=0)
    assert all(len("".join(d["text"].split())) >= D.MIN_CHARS for d in docs)
    assert all(d["id"].split(",")[0].split("#")[0] in ("pos.txt", "neg.txt") for d in docs)


def test_peoples_daily_articles(articles):
    assert len(articles) == 600 and all(len("".join(a.split())) >= D.MIN_CHARS for a in articles)
    assert articles[0].startswith("迈向充满希望的新世纪")


def test_gzip_bytes_are_deterministic(tmp_path):
    records = [{"id": "a", "text": "中文"}]
    D.write_jsonl_gz(tmp_path / "a.jsonl.gz", records)
    D.write_jsonl_gz(tmp_path / "b.jsonl.gz", records)
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()
    assert json.loads(gzip.decompress((tmp_path / "a.jsonl.gz").read_bytes())) == records[0]


def test_web_boilerplate_is_the_page_furniture_without_the_article(shared_data):
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset
    from corpus_pipeline.rules.html import extract_main_text

    pages = D.web_boilerplate(shared_data)
    assert 40 <= len(pages) <= 62 and [p["id"] for p in pages] == sorted(p["id"] for p in pages)
    first = pages[0]["text"].splitlines()
    assert pages[0]["id"] == "163_1.html" and first[0] == "网易首页"  # menus are in
    data = (shared_data / "web_html" / "gne" / "163_1.html").read_bytes()
    main = extract_main_text(decode_bytes(data, html_declared_charset(data))[0]).text
    assert not {line.strip() for line in main.splitlines() if line.strip()} & set(first)  # the article is out
    cjk = [cjk_count(p["text"]) / len("".join(p["text"].split())) for p in pages]
    assert sorted(cjk)[len(cjk) // 2] > 0.6  # GBK pages decoded, not mojibake
