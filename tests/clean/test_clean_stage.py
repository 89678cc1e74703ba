"""The clean stage end to end in Spark local mode: kept/removed/quarantine sets, stats and conservation."""

from __future__ import annotations

import bz2
import gzip
import json

import opencc
import pyarrow.dataset as ds
import pytest

from corpus_pipeline.io.documents import read_documents
from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

GOOD = "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。"
GOOD_2 = "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。"
ARTICLE = "\n".join(
    [
        GOOD,
        GOOD_2,
        "分析人士认为，各项措施落地见效以后，全年经济增长目标有望顺利实现，市场信心持续增强。",
        "下一步，有关部门将继续加大政策支持力度，推动经济运行持续向好，确保完成全年目标任务。",
    ]
)
TRADITIONAL = opencc.OpenCC("s2tw").convert(ARTICLE)  # Taiwan forms: all encodable in Big5
AD_PAGE = "\n".join(
    [
        "代开发票，联系电话13912345678",
        "加微信shop8888，免费领取优惠券",
        "点击购买，限时抢购，全国包邮",
        "诚招代理，月入过万，详情咨询QQ：12345678",
        "欢迎来电咨询，官网www.example.com",
    ]
    * 3
)
HTML = (
    "<html><head><meta charset='utf-8'><title>经济数据发布_某某新闻网</title></head><body>"
    "<div class='nav'><a href='/'>首页</a> | <a>新闻</a> | <a>体育</a> | <a>登录</a> | <a>注册</a></div>"
    "<article><h1>经济数据发布</h1>" + "".join(f"<p>{line}</p>" for line in ARTICLE.split("\n")) + "</article>"
    "<footer>版权所有 © 2021 某某新闻网 京ICP备12345678号</footer></body></html>"
)


def jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    web, books, bad = root / "web", root / "books", root / "bad"
    for folder in (web, books, bad, web / "deeper"):
        folder.mkdir()
    jsonl(
        web / "pages.jsonl",
        [
            {"id": "w-good", "url": "http://a/1", "html": HTML, "crawl": "2021-04"},
            {"id": "w-ad", "text": AD_PAGE},
            {"id": "w-short", "text": "今天天气很好。"},
            {"id": "w-english", "text": "This page is written in English only and has nothing Chinese. " * 8},
            {"id": "w-titles", "text": "\n".join(f"第{i}条新闻的标题在这里写着" for i in range(20))},
            {"id": "w-trad", "text": TRADITIONAL, "source": "ignored-because-the-input-names-one"},
            {"id": "w-dup", "text": ARTICLE + "\n" + GOOD_2},
        ],
    )
    with gzip.open(web / "deeper" / "more.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": ARTICLE + "\n加微信abc12345领取优惠券"}, ensure_ascii=False) + "\n")
    (books / "novel.txt").write_bytes((ARTICLE + "\n").encode("gb18030"))
    (books / "story.txt.bz2").write_bytes(bz2.compress(TRADITIONAL.encode("big5")))
    lines = [
        json.dumps({"id": "b-ok", "text": ARTICLE}, ensure_ascii=False).encode(),
        b'{"id": "b-broken", "text": "unterminated',
        json.dumps({"id": "b-notext", "title": "only a title"}).encode(),
        json.dumps({"id": "b-nul", "text": "有\x00空字节" * 50}, ensure_ascii=False).encode(),
        b'{"id": "b-bytes", "text": "\xff\xfe\xff\xfe"}',
        json.dumps({"id": "b-huge", "text": "大" * (7 * 2**20)}, ensure_ascii=False).encode(),  # 21 MB
        json.dumps({"id": "b-ok", "text": GOOD_2 * 5}, ensure_ascii=False).encode(),
    ]
    (bad / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (bad / "empty.jsonl").write_bytes(b"")
    whole = gzip.compress(
        "".join(json.dumps({"text": ARTICLE + str(i)}, ensure_ascii=False) + "\n" for i in range(200)).encode()
    )
    (bad / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (bad / "notes.docx").write_bytes(b"PK\x03\x04")
    return [
        InputSpec(path=str(web), source="web"),
        InputSpec(path=str(books), source="ebook"),
        InputSpec(path=str(bad / "*"), source="news"),
    ]


@pytest.fixture(scope="module")
def result(spark, inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "out"
    stats = run_stage(spark, "clean", inputs, str(out), load_recipe())
    return out, stats


def rows(out, part):
    return ds.dataset(out / part, format="parquet").to_table().to_pylist()


def by_id(out, part):
    return {row["id"]: row for row in rows(out, part)}


def test_stage_outputs_exist(result):
    out, _ = result
    assert (out / "_SUCCESS").exists() and (out / "stats.json").exists()
    assert json.loads((out / "stats.json").read_text())["conservation"]["ok"] is True


def test_removed_documents_have_the_right_reason(result):
    out, _ = result
    removed = by_id(out, "removed")
    assert {k: v["reason"] for k, v in removed.items() if k.startswith("w-")} == {
        "w-ad": "ad_keywords",
        "w-short": "too_short",
        "w-english": "low_cjk_ratio",
        "w-titles": "title_only",
    }


def test_kept_documents_are_cleaned(result):
    out, _ = result
    kept = by_id(out, "kept")
    good = kept["w-good"]
    assert good["text"] == "经济数据发布\n" + ARTICLE or good["text"] == ARTICLE
    assert good["title"].startswith("经济数据发布")
    assert json.loads(good["meta"]) == {"crawl": "2021-04"}
    assert good["source"] == "web" and good["url"] == "http://a/1"
    assert TRADITIONAL != ARTICLE and kept["w-trad"]["text"] == ARTICLE and kept["w-trad"]["source"] == "web"
    assert kept["w-dup"]["text"] == ARTICLE and kept["w-dup"]["dup_paragraphs"] == 1
    with_ad_line = [row for row in kept.values() if row["ad_lines"] == 1]
    assert len(with_ad_line) == 1 and with_ad_line[0]["text"] == ARTICLE


def test_encodings_decoded(result):
    out, _ = result
    books = {row["id"]: row["text"] for row in rows(out, "kept") if row["source"] == "ebook"}
    assert sorted(books.values()) == [ARTICLE, ARTICLE]  # GB18030 and Big5 (traditional) files


def test_bad_input_quarantined_with_reasons(result):
    out, _ = result
    quarantine = rows(out, "quarantine")
    reasons = sorted((row["path"], row["offset"], row["reason"]) for row in quarantine)
    assert reasons == [
        ("cut.jsonl.gz", next(r[1] for r in reasons if r[2] == "truncated_archive"), "truncated_archive"),
        ("empty.jsonl", 0, "empty_file"),
        ("mixed.jsonl", 1, "malformed_json"),
        ("mixed.jsonl", 2, "missing_text"),
        ("mixed.jsonl", 3, "nul_bytes"),
        ("mixed.jsonl", 4, "undecodable"),
        ("mixed.jsonl", 5, "document_too_large"),
        ("mixed.jsonl", 6, "duplicate_id"),
        ("notes.docx", 0, "unknown_format"),
    ]
    truncated = next(row for row in quarantine if row["reason"] == "truncated_archive")
    good_before_cut = [row for row in rows(out, "kept") if row["source"] == "news" and row["id"] != "b-ok"]
    assert truncated["offset"] == len(good_before_cut) > 0


def test_stats_count_every_record(result):
    out, stats = result
    counts = {part: len(rows(out, part)) for part in ("kept", "removed", "quarantine")}
    docs = stats["documents"]
    assert (docs["kept"], docs["removed"], docs["quarantined"]) == (
        counts["kept"],
        counts["removed"],
        counts["quarantine"],
    )
    assert docs["in"] == sum(counts.values())
    assert stats["sources"]["web"]["removed"]["ad_keywords"]["documents"] == 1
    assert stats["quarantined"]["document_too_large"]["documents"] == 1


def test_ids_are_stable_across_runs_and_relative_to_the_input_root(spark, inputs, result, tmp_path):
    out, _ = result
    again = tmp_path / "again"
    run_stage(spark, "clean", inputs, str(again), load_recipe())
    assert sorted(by_id(again, "kept")) == sorted(by_id(out, "kept"))
    derived = [row for row in rows(out, "quarantine") if row["path"] == "empty.jsonl"][0]
    import hashlib

    expected = hashlib.sha256(b"news\x00empty.jsonl\x000").hexdigest()[:32]
    assert derived["id"] == expected


def test_later_stages_read_kept_documents(spark, result):
    out, stats = result
    frame = read_documents(spark, [str(out)])
    assert frame.count() == stats["documents"]["kept"]
    assert {"id", "source", "url", "title", "text", "meta", "cjk_ratio"} <= set(frame.columns)


def test_parquet_input_round_trips(spark, result, tmp_path):
    out, stats = result
    again = tmp_path / "from_parquet"
    run_stage(spark, "clean", [InputSpec(path=str(out / "kept"), source="web")], str(again), load_recipe())
    kept_again = by_id(again, "kept")
    assert set(kept_again) == set(by_id(out, "kept"))
    assert all(json.loads(row["meta"]).get("cjk_ratio") is not None for row in kept_again.values())


def test_parquet_records_get_the_same_document_checks(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "pq"
    folder.mkdir()
    pq.write_table(
        pa.table({"id": ["ok", "blank", "none", "nul"], "text": [ARTICLE, " \u3000\n", None, ARTICLE + "\x00"]}),
        folder / "docs.parquet",
    )
    out = tmp_path / "out"
    run_stage(spark, "clean", [InputSpec(path=str(folder), source="news")], str(out), load_recipe())
    assert {row["id"]: row["reason"] for row in rows(out, "quarantine")} == {
        "blank": "missing_text",
        "none": "missing_text",
        "nul": "nul_bytes",
    }
    assert [row["id"] for row in rows(out, "kept")] == ["ok"]


def test_listing_skips_markers_and_hidden_folders_but_keeps_empty_files(spark, tmp_path):
    from corpus_pipeline.io import fs

    for name in ("_SUCCESS", ".part.crc", "_temporary/p.jsonl", "sub/a.jsonl", "b.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    listed = [(path.rsplit("/", 2)[-2:], length) for path, length in fs.list_files(spark, str(tmp_path))]
    assert listed == [([tmp_path.name, "b.jsonl"], 0), (["sub", "a.jsonl"], 0)]
    assert fs.list_files(spark, str(tmp_path / "*.jsonl"))[0][0].endswith("/b.jsonl")
    assert fs.list_files(spark, str(tmp_path / "missing")) == []
