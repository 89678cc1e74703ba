"""The labelled real-web evaluation set (``corpus_eval.webeval``): provenance, halves, labels, realism checks.

Builds are small (a few hundred documents) and leave out the slow sources (GNE pages, the large tg train file),
so the module runs in well under a minute; the default set is built by the CLI (see the package docstring).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections import Counter

import pytest

from corpus_eval.webeval import (
    CARRIERS,
    INJECTED,
    KINDS,
    build_documents,
    disguise,
    eval_lists,
    half,
    junk,
    load_items,
    vocab,
    write_eval_set,
)
from corpus_eval.webeval.good import chat_lines, thread_text
from corpus_eval.webeval.sources import Item, Shared, gne_main_text, normalize_key
from corpus_pipeline.ingest.jsonl import record_from_value

CARRIER_SET = [
    "clue",
    "people_daily",
    "zhwiki",
    "novels",
    "trec06c_ham",
    "tg_ham",
    "thucnews",
    "reviews",
    "tg_spam_eval",
    "trec06c_spam",
    "eval_phrases",
]
INJECTED_SET = [s for s in INJECTED if s != "tg_spam_train"]
N = 260


@pytest.fixture(scope="module")
def shared(shared_data):
    return Shared(shared_data)


@pytest.fixture(scope="module")
def docs_b(shared):
    return build_documents(shared, carriers=CARRIER_SET, injected=INJECTED_SET, half="b", seed=0, n=N)


@pytest.fixture(scope="module")
def docs_a(shared):
    return build_documents(shared, carriers=CARRIER_SET, injected=INJECTED_SET, half="a", seed=0, n=N)


def _of(docs, kind):
    return [d for d in docs if d["truth"]["kind"] == kind]


# --- halves ----------------------------------------------------------------------------------------------------


def test_half_is_a_stable_hash_that_splits_evenly():
    assert half("澳门新葡京") == half("澳门新葡京") and half("x") in ("a", "b")
    keys = [f"key-{i}" for i in range(4000)]
    share_a = sum(half(k) == "a" for k in keys) / len(keys)
    assert 0.46 < share_a < 0.54
    assert normalize_key("ＡＢＣ １２３\n") == "ABC123"  # a width variant of a message shares its key


def test_items_of_the_two_halves_are_disjoint(shared):
    for source in ("clue", "tg_spam_eval", "trec06c_ham", "zhwiki"):
        a, b = shared.items(source, "a"), shared.items(source, "b")
        assert a and b and len(a) + len(b) == len(shared.items(source))
        assert not {normalize_key(i.text) for i in a} & {normalize_key(i.text) for i in b}
    # a message present in both tg files (27 are) is in the same half in both
    train = {normalize_key(i.text): i.half for i in shared.items("tg_spam_train")}
    common = [i for i in shared.items("tg_spam_eval") if normalize_key(i.text) in train]
    assert len(common) >= 10 and all(train[normalize_key(i.text)] == i.half for i in common)


def test_builds_of_half_a_and_half_b_share_no_carrier_message_or_word(docs_a, docs_b):
    ids_a = {i for d in docs_a for i in d["truth"]["carrier_ids"]}
    ids_b = {i for d in docs_b for i in d["truth"]["carrier_ids"]}
    assert ids_a and ids_b and not ids_a & ids_b
    brands_a = {d["truth"]["title_brand"] for d in _of(docs_a, "junk:casino_splice")}
    brands_b = {d["truth"]["title_brand"] for d in _of(docs_b, "junk:casino_splice")}
    assert brands_a and brands_b and not brands_a & brands_b
    assert all(d["truth"]["half"] == "a" for d in docs_a) and all(d["truth"]["half"] == "b" for d in docs_b)


def test_carrier_items_are_used_once_and_texts_are_unique(docs_b):
    ids = [i for d in docs_b for i in d["truth"]["carrier_ids"]]
    assert len(ids) == len(set(ids))
    assert len({d["text"] for d in docs_b}) == len(docs_b) == len({d["id"] for d in docs_b})


# --- labels and provenance --------------------------------------------------------------------------------------


def test_every_document_is_labelled_with_its_provenance(docs_b):
    assert abs(len(docs_b) - N) <= 5
    for doc in docs_b:
        truth = doc["truth"]
        assert doc["source"] == "web" and doc["text"].strip()
        assert truth["label"] in ("good", "junk") and truth["kind"].startswith(truth["label"] + ":")
        assert truth["kind"] in KINDS and truth["carrier"] in CARRIER_SET
        assert set(truth["injected_from"]) <= set(INJECTED_SET)
        assert truth["sources"] == sorted({truth["carrier"], *truth["injected_from"]})
        if truth["label"] == "good":
            assert truth["injected_from"] == [] and truth["intensity"] is None
    labels = Counter(d["truth"]["label"] for d in docs_b)
    assert 0.4 < labels["good"] / len(docs_b) < 0.6
    assert len({d["truth"]["kind"] for d in docs_b}) >= 20


def test_the_pipeline_reader_puts_the_truth_into_meta(docs_b):
    doc = docs_b[0]
    raw = json.dumps(doc, ensure_ascii=False)
    record = record_from_value(json.loads(raw), "documents.jsonl.gz", 0, len(raw), raw)
    assert record.text == doc["text"] and record.id == doc["id"] and record.source == "web"
    assert json.loads(record.meta)["truth"] == doc["truth"]


def test_leaving_sources_out_leaves_them_out(shared):
    docs = build_documents(
        shared,
        carriers=["people_daily", "thucnews", "trec06c_spam"],
        injected=["eval_brands", "houbb_porn", "ut1_gambling_domains", "trec06c_spam"],
        seed=3,
        n=60,
    )
    assert docs
    for doc in docs:
        assert doc["truth"]["carrier"] in ("people_daily", "thucnews", "trec06c_spam")
        assert set(doc["truth"]["injected_from"]) <= {
            "eval_brands",
            "houbb_porn",
            "ut1_gambling_domains",
            "trec06c_spam",
        }
    assert {"junk:casino_splice", "junk:email_spam", "good:news"} <= {d["truth"]["kind"] for d in docs}
    with pytest.raises(ValueError, match="unknown carrier"):
        build_documents(shared, carriers=["commoncrawl"], n=5)


# --- junk carries its injected material -------------------------------------------------------------------------


def test_each_injected_surface_is_in_the_document(docs_b):
    junk_docs = [d for d in docs_b if d["truth"]["label"] == "junk"]
    for doc in junk_docs:
        page = f"{doc['title'] or ''}\n{doc['text']}\n{doc['url'] or ''}"
        missing = [s for s in doc["truth"]["injected"] if s not in page]
        assert not missing, (doc["truth"]["kind"], missing)
        if doc["truth"]["kind"] not in ("junk:chat_spam", "junk:email_spam"):
            assert doc["truth"]["injected"] or doc["truth"].get("variant") == "topical"


def test_casino_splice_has_a_brand_in_the_title_and_spliced_into_sentences(docs_b):
    docs = _of(docs_b, "junk:casino_splice")
    assert len(docs) >= 8
    for doc in docs:
        truth = doc["truth"]
        assert doc["title"].startswith(truth["title_brand"])
        body = doc["text"].split("\n")[: len(doc["text"].split("\n")) - truth["block_lines"]]
        assert truth["spliced"] and all(b in "\n".join(body) for b in truth["spliced"])
    assert {d["truth"]["intensity"] for d in docs} == {"light", "medium", "heavy"}


def test_brand_replace_removes_the_organisation_everywhere(docs_b, shared):
    docs = _of(docs_b, "junk:brand_replace")
    assert len(docs) >= 5
    by_id = {i.id: i for s in ("clue", "people_daily", "zhwiki", "trec06c_ham") for i in shared.items(s)}
    for doc in docs:
        truth = doc["truth"]
        original = by_id[truth["carrier_ids"][0]].text
        assert truth["replaced"] in original and truth["replacement"] in doc["text"]
        assert doc["text"].count(truth["replacement"]) >= truth["replacements"] >= 1
        assert doc["text"] == original.replace(truth["replaced"], truth["replacement"])
        assert truth["replaced"] not in (doc["title"] or "")


def test_spun_copies_swap_words_and_insert_keywords(docs_b):
    docs = _of(docs_b, "junk:spun")
    assert len(docs) >= 8
    for doc in docs:
        assert doc["truth"]["spun_swaps"] >= 3
        assert all(k in doc["text"] for k in doc["truth"]["keywords"]) and doc["truth"]["keywords"]


def test_real_spam_pages_hold_real_messages_and_emails(docs_b, shared):
    msgs = {i.id: i.text for i in shared.items("tg_spam_eval")}
    for doc in _of(docs_b, "junk:chat_spam"):
        texts = [msgs[i] for i in doc["truth"]["carrier_ids"]]
        got = doc["text"].split("\n") if doc["truth"]["intensity"] == "short" else chat_lines(doc["text"])
        assert got == texts
    emails = {i.id: i.text for i in shared.items("trec06c_spam")}
    for doc in _of(docs_b, "junk:email_spam"):
        assert doc["text"] == emails[doc["truth"]["carrier_ids"][0]]


def test_link_farms_and_lures_carry_listed_domains_and_disguises(docs_b):
    farms = _of(docs_b, "junk:link_farm")
    assert farms and all(d["truth"]["links"] >= 10 for d in farms)
    assert all(len(re.findall(r"[a-z0-9-]\.[a-z]{2,}", d["text"])) >= 4 for d in farms)
    disguised = Counter(m for d in docs_b for m in d["truth"]["disguise"])
    assert {"fullwidth", "separators", "variant"} <= set(disguised)


# --- good documents are real text, unchanged --------------------------------------------------------------------


def test_good_documents_are_their_carriers_verbatim(docs_b, shared):
    items = {i.id: i for s in CARRIER_SET if s != "eval_phrases" for i in shared.items(s)}
    checked = Counter()
    for doc in docs_b:
        truth = doc["truth"]
        if truth["label"] != "good":
            continue
        parts = [items[i].text for i in truth["carrier_ids"]]
        if truth["kind"] == "good:chat":
            assert chat_lines(doc["text"]) == parts
        elif truth["kind"] == "good:novel":
            lines = parts[0].split("\n")
            got = doc["text"].split("\n")
            start = lines.index(got[0])
            assert lines[start : start + len(got)] == got
        else:
            assert doc["text"] == "\n".join(parts)
        checked[truth["kind"]] += 1
    assert len(checked) >= 10


def test_hard_negatives_stay_good(docs_b, shared):
    docs = _of(docs_b, "good:news_about_gambling")
    assert docs and all(d["truth"]["hard_negative"] for d in docs)
    assert all(eval_lists.GAMBLING_MENTION.search(d["text"] + (d["title"] or "")) for d in docs)
    mention = {i.id for s in ("clue", "people_daily") for i in shared.items(s, "b") if "gambling_mention" in i.tags}
    junk_ids = {i for d in docs_b if d["truth"]["label"] == "junk" for i in d["truth"]["carrier_ids"]}
    assert mention and not mention & junk_ids


# --- files, determinism, manifest -------------------------------------------------------------------------------


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes_and_the_manifest_matches(shared_data, tmp_path):
    args = {"seed": 0, "n": 120, "carriers": CARRIER_SET, "injected": INJECTED_SET}
    first = write_eval_set(shared_data, tmp_path / "one", **args)
    write_eval_set(shared_data, tmp_path / "two", **args)
    other = write_eval_set(shared_data, tmp_path / "three", **{**args, "seed": 1})
    for name in ("documents.jsonl.gz", "labels.jsonl", "manifest.json"):
        assert _sha(tmp_path / "one" / name) == _sha(tmp_path / "two" / name)
    assert other["files"]["documents.jsonl.gz"] != first["files"]["documents.jsonl.gz"]
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["documents.jsonl.gz"] == _sha(tmp_path / "one" / "documents.jsonl.gz")
    labels = [json.loads(line) for line in (tmp_path / "one" / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    with gzip.open(tmp_path / "one" / "documents.jsonl.gz", "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    assert [d["id"] for d in docs] == [r["id"] for r in labels]
    counts = manifest["counts"]
    assert counts["documents"] == len(labels)
    assert counts["label"] == dict(sorted(Counter(r["label"] for r in labels).items()))
    assert counts["kind"] == dict(sorted(Counter(r["kind"] for r in labels).items()))
    assert counts["carrier"] == dict(sorted(Counter(r["carrier"] for r in labels).items()))
    assert counts["injected_from"] == dict(sorted(Counter(s for r in labels for s in r["injected_from"]).items()))
    rel = "web_text/cluecorpussmall_sample.jsonl.gz"
    assert manifest["inputs"][rel] == _sha(shared_data / rel)
    assert manifest["seed"] == 0 and manifest["half"] == "b"


# --- pieces ---------------------------------------------------------------------------------------------------


def test_disguises_change_text_in_their_own_way():
    rng = random.Random(0)
    assert disguise.fullwidth("AG88") == "ＡＧ８８"
    assert disguise.lookalike(rng, "bet365") != "bet365" and len(disguise.lookalike(rng, "bet365")) == 6
    assert disguise.separators(random.Random(1), "葡京") in {f"葡{s}京" for s in eval_lists.SEPARATORS}
    assert disguise.variant(rng, "加微信看博彩") != "加微信看博彩"
    assert disguise.digits(rng, "QQ 123") != "QQ 123"
    assert disguise.disguise(rng, "。")[1] is None


def test_organisations_and_brand_replacement():
    text = "记者从四川大学华西医院获悉，四川大学将扩建。如果公司同意，就开始。"
    orgs = junk.organisations(text)
    assert "四川大学" in orgs and not any(o.startswith("如果") for o in orgs)

    class FixedVocab:
        sources = ("eval_brands",)

        def has(self, category):
            return category == "gambling_brand"

        def _by_source(self, category):
            return {"eval_brands": [vocab.Term("澳门新葡京", "eval_brands", "gambling_brand")]}

    item = Item("clue", "t-1", text + "四川大学的学生很多。")
    doc = junk.brand_replace(random.Random(0), junk.Injector(random.Random(0), FixedVocab()), item)
    assert doc is not None and "四川大学" not in doc.text and doc.extra["replacements"] == 3
    assert doc.injected_from == ["eval_brands"] and doc.label == "junk"


def test_mined_brands_are_unknown_words_before_a_brand_suffix():
    messages = ["开云体育注册送88彩金", "天博体育官网 首存就送", "正规体育平台", "开云体育 信誉平台"]
    brands = vocab.mine_brands(messages)
    assert brands[0] == "开云体育" and "天博体育" in brands and "正规体育" not in brands
    words = vocab.mine_words(["彩金 首存 送彩金"] * 4, ["今天 天气 不错"] * 4, min_count=3)
    assert "彩金" in words and "天气" not in words


def test_chat_threads_frame_messages_without_changing_them():
    messages = ["哈哈", "这个：那个", "晚上 吃什么"]
    for style in ("inline", "header"):
        assert chat_lines(thread_text(random.Random(2), messages, style)) == messages


def test_gne_main_text_keeps_article_paragraphs(shared_data):
    from corpus_eval.webeval.sources import _decode_html

    path = shared_data / "web_html" / "gne" / "sina_1.html"
    title, text = gne_main_text(_decode_html(path.read_bytes()))
    lines = text.split("\n")
    assert title and len(lines) >= 3 and all(len(line) >= 20 for line in lines)
    assert not any(re.search("登录|分享到|版权所有", line) for line in lines if len(line) < 30)


def test_sources_and_kinds_are_declared():
    assert set(INJECTED) >= {
        "tg_spam_train",
        "tg_spam_eval",
        "trec06c_spam",
        "houbb_porn",
        "houbb_ads",
        "ut1_gambling_domains",
        "v2fly_porn_domains",
        "houbb_spam_urls",
        "eval_brands",
    }
    assert {
        "clue",
        "extraction_gold",
        "gne",
        "zhwiki",
        "novels",
        "people_daily",
        "reviews",
        "thucnews",
        "trec06c_ham",
        "tg_ham",
    } <= set(CARRIERS)
    assert len([k for k in KINDS if k.startswith("junk:")]) == 11
    assert load_items  # re-exported loader
