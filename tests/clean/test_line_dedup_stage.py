"""The line_dedup step in the clean stage: synthetic sites whose pages share header and footer lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import opencc
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.recipe import InputSpec, parse_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWS_HEADER = "某某新闻网欢迎您，本站提供最新最全的新闻资讯服务。"
NEWS_FOOTER = "版权声明：本网站所刊登的各种新闻信息，未经协议授权禁止下载使用"
FORUM_FOOTER = "本帖最后由管理员编辑，转载请注明出处，谢谢合作。"
TWO_PAGES = "相关阅读：本市经济形势分析报告全文发布"  # on two news pages only: below min_documents
DISCLAIMER = "免责声明：本文仅代表作者观点，与本站立场无关。"  # two pages on each of two sites
TOPICS = ["农业", "教育", "交通", "医疗", "环保", "科技", "文化", "体育", "旅游", "金融", "住房", "就业"]


def body(n: int) -> list[str]:
    """Four lines of page ``n``'s own text (about 160 characters)."""
    topic = TOPICS[n % len(TOPICS)]
    return [
        f"第{n}篇报道介绍了本地{topic}领域的最新进展，有关部门负责人在发布会上回答了记者提问。",
        f"据介绍，今年以来{topic}方面的各项工作稳步推进，第{n}批重点项目已经全部开工建设。",
        f"下一步，相关单位将继续完善{topic}政策措施，切实解决群众最关心的实际问题，编号{n}。",
        f"不少市民表示，希望{topic}服务能够更加便捷高效，第{n}号意见已经转交有关部门研究办理。",
    ]


def pages() -> tuple[list[dict], dict[str, str | None]]:
    """The input records and, per id, the text the step should leave (None: removed as too short)."""
    traditional = opencc.OpenCC("s2t").convert
    records, expected = [], {}

    def page(doc_id, url, lines, kept):
        records.append({"id": doc_id, "url": url, "text": "\n".join(lines)})
        expected[doc_id] = None if kept is None else "\n".join(kept)

    for n in range(4):  # news site: header and footer on every page; one page writes the header traditional
        header = traditional(NEWS_HEADER) if n == 3 else NEWS_HEADER
        extra = [TWO_PAGES] if n < 2 else []
        extra += [DISCLAIMER] if n in (0, 1) else []
        host = "www.news.example.cn" if n % 2 else "news.example.cn"
        page(f"news-{n}", f"http://{host}/a/{n}.html", [header, *body(n), *extra, NEWS_FOOTER], body(n) + extra)
    for n in range(4, 7):  # forum: a shared footer; page 6 has hardly any text of its own
        own = body(n) if n < 6 else ["顶一下，说得好。"]
        extra = [DISCLAIMER] if n in (4, 5) else []
        page(f"forum-{n}", f"https://forum.example.org/t/{n}", [*own, *extra, FORUM_FOOTER], own + extra)
    expected["forum-6"] = None
    for n in range(7, 9):  # no URL: never line-deduplicated
        lines = [NEWS_HEADER, *body(n), NEWS_FOOTER]
        page(f"nourl-{n}", None, lines, lines)
    page("solo-9", "http://solo.example.net/", [NEWS_HEADER, *body(9)], [NEWS_HEADER, *body(9)])
    return records, expected


def recipe_for(partitions: int | None = None, **line_dedup):
    return parse_recipe(
        {
            "sources": {
                "web": {"steps": ["normalize", "line_dedup", "min_length"]},
                "default": {"steps": ["normalize"]},
            },
            "ingest": {"partitions": partitions},
            "clean": {"line_dedup": {"min_documents": 3, "keep_first": False, **line_dedup}},
        }
    )


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("sites")
    records, expected = pages()
    for i in range(3):  # three files: rows reach the partitions in different orders
        (root / f"part{i}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[i::3]), encoding="utf-8"
        )
    return root, expected


def outcome(out) -> dict[str, tuple]:
    kept = pq.read_table(out / "kept", columns=["id", "text", "dup_lines"]).to_pylist()
    removed = pq.read_table(out / "removed", columns=["id", "reason"]).to_pylist()
    result = {row["id"]: (row["text"], row["dup_lines"]) for row in kept}
    result.update({row["id"]: (None, row["reason"]) for row in removed})
    return result


def test_repeated_lines_of_a_site_go_and_nothing_else(spark, corpus, tmp_path):
    root, expected = corpus
    results = []
    for partitions in (1, 7):
        out = tmp_path / f"out{partitions}"
        stats = run_stage(spark, "clean", [InputSpec(path=str(root), source="web")], str(out), recipe_for(partitions))
        results.append(outcome(out))
    assert results[0] == results[1]
    got = results[0]
    assert {doc_id: text for doc_id, (text, _) in got.items()} == expected
    assert got["forum-6"] == (None, "too_short")
    assert got["news-0"][1] == 2 and got["news-3"][1] == 2 and got["forum-4"][1] == 1 and got["nourl-7"][1] == 0

    summary = stats["line_dedup"]
    assert summary["frequent_lines"] == 3  # news header and footer, forum footer
    assert summary["removed"] == {
        "web": {
            "documents": 7,
            "line_keys": 4 * 2 + 3,
            "bytes": sum(len(line.encode()) + 1 for line in [NEWS_HEADER] * 3 + [NEWS_FOOTER] * 4 + [FORUM_FOOTER] * 3)
            + len(opencc.OpenCC("s2t").convert(NEWS_HEADER).encode())
            + 1,
        }
    }
    assert [(line["group"], line["documents"]) for line in summary["top_lines"]] == [
        ("news.example.cn", 4),
        ("news.example.cn", 4),
        ("forum.example.org", 3),
    ]
    assert {line["text"] for line in summary["top_lines"]} == {NEWS_HEADER, NEWS_FOOTER, FORUM_FOOTER}

    # local[1] in a separate process through the command line gives the same output
    recipe = tmp_path / "recipe.json"
    recipe.write_text(recipe_for(3).model_dump_json(), encoding="utf-8")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    command = [sys.executable, "-m", "corpus_pipeline", "clean", "--input", f"web={root}"]
    command += ["--output", str(tmp_path / "cli"), "--recipe", str(recipe), "--master", "local[1]"]
    subprocess.run(command, check=True, cwd=REPO_ROOT, env=env, capture_output=True)
    assert outcome(tmp_path / "cli") == got


def test_run_scope_counts_across_sites_and_keep_first_spares_one_document(spark, corpus, tmp_path):
    root, _ = corpus
    out = tmp_path / "out"
    recipe = recipe_for(scope="run", keep_first=True)
    run_stage(spark, "clean", [InputSpec(path=str(root), source="web")], str(out), recipe)
    got = outcome(out)
    texts = {doc_id: text or "" for doc_id, (text, _) in got.items()}
    # across the run (documents without URL included) each shared line is in at least four documents: only
    # the first in the keep order (the longest text, then the smallest id) keeps it
    for line in (NEWS_HEADER, NEWS_FOOTER, FORUM_FOOTER, DISCLAIMER):
        assert sum(line in text for text in texts.values()) == 1
    assert sum(TWO_PAGES in text for text in texts.values()) == 2
