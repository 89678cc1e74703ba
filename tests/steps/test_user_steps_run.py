"""A user-defined step in a real ``corpus-pipeline run`` (its own process, local mode): it removes documents with
its own reason in clean and in quality, quarantines the document it fails on, and a misspelled step is a
one-line error before Spark starts. The same run checks the default recipe's blocked_domain, benchmark_overlap
and mask_pii steps (issue 21): a page of a listed gambling domain is removed, a page quoting a CMMLU question is
removed with its benchmark and item, personal data in kept text is masked and counted."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest
import yaml

from corpus_eval.demo import build_demo_corpus
from corpus_pipeline.io.resources import resource_dir
from corpus_pipeline.rules.pii import PII_TYPES
from tests.conftest import shared_data_dir
from tests.pipeline_outputs import cli_env

pytestmark = pytest.mark.spark

ARTICLE = (  # distinct sentences: a text repeated three times is removed by the repetition step
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。"
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。"
    "不少企业负责人认为，市场信心正在恢复，订单明显增加，用工需求也有所上升，出口形势好于预期。"
    "分析人士指出，外部环境依然复杂，需要进一步扩大内需，稳定就业，防范化解重点领域风险。"
)
STEPS = textwrap.dedent('''
    """A user's steps: drop lorem ipsum pages in clean, drop documents that mention a banned word in quality."""

    def drop_lorem(doc):
        if "BOOM" in doc["text"]:
            raise RuntimeError("cannot judge this one")
        return "lorem_ipsum" if "Lorem ipsum" in doc["text"] else None

    def drop_banned(doc):
        assert doc["perplexity"] is not None  # the stage's own columns come with the document
        return "banned_word" if "禁词" in doc["text"] else None
''')


PII_TEXT = (
    "图书馆通知：本周六上午举办读书分享会，欢迎各位读者参加。报名请联系王老师，电话 13812345678，"
    "或发送邮件至 wang.laoshi@example.com 说明姓名和人数。活动地点在三楼报告厅，订单号 2023120312345678901 "
    "的读者请凭此号领取赠书。活动期间请保持安静，爱护公共设施，离开时带走个人物品。"
) * 2


CASINO_TITLE = "澳门新葡京官网_百家乐在线开户_真人娱乐平台"
CASINO = (
    ARTICLE.replace("专家表示", "澳门新葡京娱乐场专家表示")
    + "\n百家乐 澳门新葡京 真人视讯 体育投注 网上赌场 注册送彩金\n"
)
JAPANESE = (  # kanji-heavy: passes the CJK-ratio rule, not the language step
    "日本政府は本日、経済対策関連法案を閣議決定した。同法案は物価高騰対策と賃金引上げ支援を柱とし、"
    "総事業費は約二十兆円規模となる見通し。\n政府関係者によると、国会審議を経て年度内成立を目指す方針。"
    "野党各党は財源確保策の具体性不足を指摘、徹底審議を要求する構え。\n"
    "経済界からは早期成立を求める声が相次ぐ一方、財政規律への懸念も根強い。\n"
)


def listed_domain() -> str:
    """The first domain of the shipped gambling list (read, not copied: the list may change)."""
    path = resource_dir("rules") / "blocklists" / "ut1_gambling_domains.txt"
    return next(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#")


def cmmlu_question() -> str | None:
    """The first CMMLU astronomy question with its options, as a quiz page would print it (None without the data)."""
    path = shared_data_dir() / "benchmarks" / "cmmlu" / "test" / "astronomy.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    return f"{row['Question']}\nA、{row['A']}  B、{row['B']}  C、{row['C']}  D、{row['D']}\n"


def recipe_with(path, first: str, second: str):
    data = yaml.safe_load((resource_dir("rules") / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    data["filter"]["decontamination"]["data_dir"] = str(shared_data_dir())  # the copy is not beside the checkout
    for name in ("web", "default"):
        steps = data["sources"][name]["steps"]
        steps.insert(steps.index("normalize") + 1, {"python": first})
        steps.insert(steps.index("mask_pii") + 1, {"python": second})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    base = tmp_path_factory.mktemp("user-steps")
    (base / "my_steps.py").write_text(STEPS, encoding="utf-8")
    build_demo_corpus(base / "raw", size_mb=0.2, seed=5)
    docs = [
        {"id": "lorem-1", "text": "Lorem ipsum dolor sit amet\n" + ARTICLE},
        {"id": "lorem-2", "text": ARTICLE + "\nLorem ipsum"},
        {"id": "boom", "text": ARTICLE + "BOOM"},
        {"id": "banned", "text": ARTICLE + "这里有一个禁词。"},
        {"id": "fine", "text": ARTICLE},
    ]
    docs += [
        {"id": "casino", "url": f"https://www.{listed_domain()}/news/1.html", "text": ARTICLE.replace("国家", "全国")},
    ]
    docs += [  # the web-spam and language steps (issues 19, 20)
        {"id": "casino-seo", "title": CASINO_TITLE, "text": CASINO},
        {"id": "japanese", "text": JAPANESE},
    ]
    if cmmlu_question():
        docs.append({"id": "exam", "text": ARTICLE.replace("国家", "本市") + "\n课后练习：\n" + cmmlu_question()})
    (base / "raw" / "notices").mkdir()  # source news: no spam step (the 2006 e-mail spam model flags contacts)
    (base / "raw" / "notices" / "docs.jsonl").write_text(
        json.dumps({"id": "contact", "url": "https://www.tsinghua.edu.cn/info/1.html", "text": PII_TEXT}) + "\n",
        encoding="utf-8",
    )
    (base / "raw" / "extra").mkdir()
    (base / "raw" / "extra" / "docs.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    return base


def run(workdir, recipe, out):
    command = [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "run",
        "--master",
        "local[2]",
        "--sample",
        "20",
        "--recipe",
        str(recipe),
        "--output",
        str(out),
        "--input",
        f"web={workdir / 'raw' / 'web'}",
        f"web={workdir / 'raw' / 'extra'}",
        f"news={workdir / 'raw' / 'notices'}",
    ]
    return subprocess.run(command, env=cli_env(), cwd=workdir, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def out(workdir):
    out = workdir / "out"
    done = run(workdir, recipe_with(workdir / "r.yaml", "my_steps:drop_lorem", "my_steps:drop_banned"), out)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_user_steps_remove_documents_in_a_real_run(out):
    clean = json.loads((out / "clean" / "stats.json").read_text(encoding="utf-8"))
    assert clean["removed"]["lorem_ipsum"]["documents"] == 2
    assert clean["quarantined"]["step_error"]["documents"] == 1
    removed = {row["id"]: row["reason"] for row in pq.read_table(out / "clean" / "removed").to_pylist()}
    assert removed["lorem-1"] == removed["lorem-2"] == "lorem_ipsum"
    [quarantined] = [row for row in pq.read_table(out / "clean" / "quarantine").to_pylist() if row["id"] == "boom"]
    assert quarantined["reason"] == "step_error"
    assert quarantined["detail"] == "my_steps:drop_lorem: raised RuntimeError: cannot judge this one"
    quality = {row["id"]: row["reason"] for row in pq.read_table(out / "quality" / "removed").to_pylist()}
    assert quality.get("banned") == "banned_word"
    kept = {row["id"] for row in pq.read_table(out / "dedup" / "kept").to_pylist()}
    assert "fine" in kept and not {"lorem-1", "lorem-2", "boom", "banned"} & kept
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reasons"]["clean"]["lorem_ipsum"]["documents"] == 2
    assert {doc["id"] for doc in report["samples"]["quality"]["banned_word"]} == {"banned"}


def test_a_listed_domain_is_removed_and_personal_data_masked(out):
    removed = {row["id"]: row for row in pq.read_table(out / "filter" / "removed").to_pylist()}
    assert removed["casino"]["reason"] == "blocked_domain"
    assert removed["casino"]["blocked_list"] == "ut1_gambling"
    assert removed["casino"]["blocked_host"] == listed_domain()
    assert "contact" not in removed  # edu.cn: on the allowlist; and news has no blocked_domain step
    filter_stats = json.loads((out / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert filter_stats["blocked_domain"] == {"ut1_gambling": {"web": 1}}
    assert filter_stats["domain_blocklists"]["ut1_gambling"]["domains"] > 1000

    kept = {row["id"]: row for row in pq.read_table(out / "quality" / "kept").to_pylist()}
    text = kept["contact"]["text"]
    assert "13812345678" not in text and "wang.laoshi@example.com" not in text
    assert text.count("<PII:MOBILE>") == 2 and text.count("<PII:EMAIL>") == 2
    assert "2023120312345678901" in text  # an order number is no card or phone number
    assert kept["contact"]["pii_masked"] == {**dict.fromkeys(PII_TYPES, 0), "MOBILE": 2, "EMAIL": 2}
    assert kept["fine"]["pii_masked"] == dict.fromkeys(PII_TYPES, 0)
    masked = json.loads((out / "quality" / "stats.json").read_text(encoding="utf-8"))["pii_masked"]
    assert masked["values"]["MOBILE"] >= 2 and masked["values"]["EMAIL"] >= 2
    assert masked["sources"]["news"] == {"documents": 1, "values": kept["contact"]["pii_masked"]}
    assert masked["documents"] == sum(entry["documents"] for entry in masked["sources"].values())
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["safety"]["blocked_domain"] == {"ut1_gambling": {"web": 1}}
    assert {doc["id"] for doc in report["samples"]["filter"]["blocked_domain"]} == {"casino"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Blocked domains, benchmarks and personal data" in html and "&lt;PII:{type}&gt;" in html


def test_casino_seo_and_a_japanese_page_are_removed_with_their_reasons_and_audited(out):
    clean = {row["id"]: row for row in pq.read_table(out / "clean" / "removed").to_pylist()}
    assert (clean["japanese"]["reason"], clean["japanese"]["lang"]) == ("not_chinese", "ja")
    removed = {row["id"]: row for row in pq.read_table(out / "filter" / "removed").to_pylist()}
    assert removed["casino-seo"]["reason"] == "gambling" and removed["casino-seo"]["webspam_category"] == "gambling"
    assert removed["casino-seo"]["webspam_score"] >= 1.0
    kept = pq.read_table(out / "filter" / "kept").to_pylist()
    assert all(
        row["webspam_score"] is not None and row["webspam_score"] < 1.0 for row in kept if row["source"] == "web"
    )
    assert {row["lang"] for row in pq.read_table(out / "clean" / "kept").to_pylist() if row["source"] == "web"} == {
        "zh"
    }
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "casino-seo" in {doc["id"] for doc in report["samples"]["filter"]["gambling"]}
    assert "japanese" in {doc["id"] for doc in report["samples"]["clean"]["not_chinese"]}


def test_a_page_quoting_a_benchmark_question_is_removed(out):
    if cmmlu_question() is None:
        pytest.skip(f"real data folder {shared_data_dir()} is absent")
    removed = {row["id"]: row for row in pq.read_table(out / "filter" / "removed").to_pylist()}
    assert removed["exam"]["reason"] == "benchmark_overlap"
    assert (removed["exam"]["benchmark"], removed["exam"]["benchmark_item"]) == ("cmmlu", "astronomy:0")
    assert [key for key, row in removed.items() if row["reason"] == "benchmark_overlap"] == ["exam"]
    stats = json.loads((out / "filter" / "stats.json").read_text(encoding="utf-8"))
    assert stats["benchmark_overlap"] == {"cmmlu": {"web": 1}}
    assert stats["benchmark_items_top"] == [{"benchmark": "cmmlu", "item": "astronomy:0", "documents": 1}]
    assert stats["benchmarks"]["cmmlu"]["items"] > 10000 and stats["benchmarks"]["gaokao_bench"]["items"] > 1000
    assert stats["benchmark_index"]["n"] == 6
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["safety"]["benchmark_overlap"] == {"cmmlu": {"web": 1}}
    assert {doc["id"] for doc in report["samples"]["filter"]["benchmark_overlap"]} == {"exam"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Benchmark decontamination (benchmark_overlap)" in html and "astronomy:0" in html


def test_a_misspelled_step_is_one_line_before_spark_starts(workdir):
    out = workdir / "misspelled"
    done = run(workdir, recipe_with(workdir / "bad.yaml", "my_steps:drop_lorme", "my_stepz:drop_banned"), out)
    assert done.returncode == 2
    assert done.stderr.strip() == "python step my_steps:drop_lorme: module my_steps has no attribute 'drop_lorme'"
    assert not out.exists()
