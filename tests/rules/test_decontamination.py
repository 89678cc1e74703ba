from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from corpus_pipeline.dedup.normalize import normalize_batch, normalize_for_hashing
from corpus_pipeline.recipe import RecipeError
from corpus_pipeline.rules.decontamination import (
    DEFAULT_N,
    REASON,
    VIEWS,
    BenchmarkIndex,
    BenchmarkItem,
    BenchmarkSpec,
    Match,
    OverlapRule,
    build_index,
    count_pairs,
    default_benchmarks,
    index_fingerprint,
    load_benchmark,
    load_benchmarks,
    ngram_hashes,
    split_options,
    strip_exam_prefix,
    worker_index,
)

MASK = (1 << 64) - 1


def reference_hash(gram: str) -> int:
    """The documented hash: fmix64 of the polynomial over the code points (0x100000001B3, mod 2**64)."""
    value = 0
    for char in gram:
        value = (value * 0x100000001B3 + ord(char)) & MASK
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & MASK
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & MASK
    return value ^ (value >> 33)


# --- n-grams -------------------------------------------------------------------------------------------------


def test_ngram_hashes_stay_inside_each_text():
    texts = ["abcdef", "xy", "", "bcdxyz"]
    code_points, offsets = normalize_batch(texts)
    hashes, doc = ngram_hashes(code_points, offsets, 3)
    assert doc.tolist() == [0, 0, 0, 0, 3, 3, 3, 3]
    expected = [reference_hash(g) for g in ("abc", "bcd", "cde", "def", "bcd", "cdx", "dxy", "xyz")]
    assert hashes.tolist() == expected
    assert hashes[1] == hashes[4]  # the same n-gram in two texts hashes the same


def test_ngram_hashes_short_and_empty():
    code_points, offsets = normalize_batch(["ab", ""])
    hashes, doc = ngram_hashes(code_points, offsets, 3)
    assert len(hashes) == 0 and len(doc) == 0
    hashes, _ = ngram_hashes(*normalize_batch([]), 3)
    assert len(hashes) == 0


def test_ngram_hash_is_stable_across_processes():
    code = (
        "from corpus_pipeline.dedup.normalize import normalize_batch;"
        "from corpus_pipeline.rules.decontamination import ngram_hashes;"
        "print(ngram_hashes(*normalize_batch(['下列说法正确的是']), 8)[0].tolist())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2)
    }
    assert runs == {f"[{reference_hash('下列说法正确的是')}]\n"}


def test_normalization_is_the_dedup_one():
    # traditional script, full width, punctuation, spaces and case do not change the n-grams
    expected = normalize_for_hashing("下列关于dna的说法正确的是")
    assert normalize_for_hashing("下列關於ＤＮＡ的說法， 正確的是？") == expected
    index = build_index(
        [BenchmarkItem("b", "f:1", "下列关于DNA复制的说法，正确的是哪一项呢")],
        n=5,
        rule=OverlapRule(min_question_chars=10),
    )
    assert index.match(["前言。下列關於ｄｎａ復製的說法  正確的是哪一項呢？後記"])[0] is not None


# --- benchmark files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, expected",
    [
        ("1．（ 6分）下列有关细胞的叙述，正确的是（ ）", "下列有关细胞的叙述，正确的是（ ）"),
        ("12. (5 分) 已知集合", "已知集合"),
        ("3.在新冠肺炎疫情防控期间", "在新冠肺炎疫情防控期间"),
        ("（本小题满分12分）求值", "求值"),
        ("2022年，我国财政赤字率", "2022年，我国财政赤字率"),
        ("下列说法正确的是", "下列说法正确的是"),
    ],
)
def test_strip_exam_prefix(question, expected):
    assert strip_exam_prefix(question) == expected


@pytest.mark.parametrize(
    "text, stem, options, letters",
    [
        (
            "下列是（ ）\nA．病毒   \nB．蓝藻  \nC．人体\nD．内质网",
            "下列是（ ）",
            ("病毒", "蓝藻", "人体", "内质网"),
            ("A", "B", "C", "D"),
        ),
        (
            "西周（ ）\nA．河南、河北  B．湖南、湖北  C．山东、山西  D．广东、广西\n",
            "西周（ ）",
            ("河南、河北", "湖南、湖北", "山东、山西", "广东、广西"),
            ("A", "B", "C", "D"),
        ),
        ("(A)甲 (B)乙 （C）丙", "", ("甲", "乙", "丙"), ("A", "B", "C")),
        ("He A. was doing B. would do", "He", ("was doing", "would do"), ("A", "B")),
        # B before A, a letter ending a Latin word and a letter before a digit are not markers
        ("问B．甲 A．乙 B．丙", "问B．甲", ("乙", "丙"), ("A", "B")),
        ("DNA.复制 RNA、转录", "DNA.复制 RNA、转录", (), ()),
        ("A.5 kg", "A.5 kg", (), ()),
        ("细胞间的信息传递C．一次分裂A．甲B．乙", "细胞间的信息传递C．一次分裂", ("甲", "乙"), ("A", "B")),
        # an empty option: the letters are the instruction's, not markers; later ones restart at A
        (
            "从四个选项（ A、B、C和D）中选出。\n41. A. was B. is",
            "从四个选项（ A、B、C和D）中选出。\n41.",
            ("was", "is"),
            ("A", "B"),
        ),
        (
            "两题。A．一 B．二 C．三\n2．又问 A．四 B．五",
            "两题。",
            ("一", "二", "三\n2．又问", "四", "五"),
            ("A", "B", "C", "A", "B"),
        ),
        ("没有选项的问题", "没有选项的问题", (), ()),
    ],
)
def test_split_options(text, stem, options, letters):
    assert split_options(text) == (stem, options, letters)


def test_spec_validation(tmp_path):
    with pytest.raises(RecipeError, match="format"):
        BenchmarkSpec("x", str(tmp_path), format="xml")
    with pytest.raises(RecipeError, match="name"):
        BenchmarkSpec("bad name", str(tmp_path))
    with pytest.raises(RecipeError, match="no csv files match"):
        BenchmarkSpec("x", str(tmp_path / "*.csv"), format="csv").files()


def test_load_csv_with_unnamed_id_column_and_bom(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "agronomy.csv").write_text(
        "\ufeff,Question,A,B,C,D,Answer\n0,植物体内产生的物质称为,调节剂,激素,,促进剂,B\n1,,a,b,c,d,A\n"
        '7,"含逗号, 的问题",甲,乙,丙,丁,C\n',
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not a benchmark", encoding="utf-8")
    spec = BenchmarkSpec("cmmlu", str(tmp_path), "csv", "Question", ("A", "B", "C", "D"), id_field="")
    assert spec.files() == [tmp_path / "sub" / "agronomy.csv"]
    items = load_benchmark(spec)
    assert items == [
        BenchmarkItem("cmmlu", "agronomy:0", "植物体内产生的物质称为", ("调节剂", "激素", "促进剂")),
        BenchmarkItem("cmmlu", "agronomy:7", "含逗号, 的问题", ("甲", "乙", "丙", "丁")),
    ]
    assert items[0].label == "cmmlu/agronomy:0"


def test_load_json_with_items_path_and_embedded_options(tmp_path):
    data = {
        "keywords": "x",
        "data": {
            "example": [
                {
                    "index": "0",
                    "question": "1．（ 6分）下列正确的是（ ）\nA．甲\nB．乙",
                    "answer": "['A']",
                    "analysis": "解析",
                },
                {"index": "1", "question": "没有选项"},
            ]
        },
    }
    (tmp_path / "2010_Bio.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    spec = BenchmarkSpec(
        "gk", str(tmp_path / "*.json"), "json", "question", id_field="index", items_path="data.example"
    )
    assert load_benchmark(spec) == [
        BenchmarkItem("gk", "2010_Bio:0", "下列正确的是（ ）", ("甲", "乙")),
        BenchmarkItem("gk", "2010_Bio:1", "没有选项"),
    ]
    with pytest.raises(RecipeError, match="no key 'examples'"):
        load_benchmark(BenchmarkSpec("gk", str(tmp_path), "json", "question", items_path="examples"))
    with pytest.raises(RecipeError, match="not a list"):
        load_benchmark(BenchmarkSpec("gk", str(tmp_path), "json", "question", items_path="keywords"))
    plain = BenchmarkSpec(
        "gk", str(tmp_path), "json", "question", id_field="index", items_path="data.example", embedded_options=False
    )
    assert load_benchmark(plain)[0].options == ()


def test_load_jsonl_with_option_list_and_errors(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(
        '{"id": 5, "q": "问题一", "options": ["(A)甲", "(B)乙"]}\n\n{"q": "问题二", "options": []}\n', encoding="utf-8"
    )
    spec = BenchmarkSpec("agi", str(path), "jsonl", "q", ("options",), id_field="id")
    assert load_benchmark(spec) == [
        BenchmarkItem("agi", "dev:5", "问题一", ("(A)甲", "(B)乙")),
        BenchmarkItem("agi", "dev:1", "问题二"),
    ]
    with pytest.raises(RecipeError, match="no question field 'question'"):
        load_benchmark(BenchmarkSpec("agi", str(path), "jsonl"))
    path.write_text('{"q": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(RecipeError, match="line 2 is not JSON"):
        load_benchmark(spec)
    with pytest.raises(RecipeError, match="unique"):
        load_benchmarks([spec, spec])


# --- matching ------------------------------------------------------------------------------------------------------

STEM = "在孵化室温度为二十四到二十六摄氏度的条件下立体孵化器孵化鸡蛋的最适温度为"
ITEM = BenchmarkItem("bench", "f:1", STEM, ("三十六摄氏度", "三十七点八摄氏度", "三十六点五摄氏度", "三十七摄氏度"))
SHORT = BenchmarkItem(
    "bench", "f:2", "“天时不如地利，地利不如人和”出自", ("《孟子》", "《论语》", "《庄子》", "《春秋》")
)
CARRIER = "今天我们学习了很多新的知识，老师讲得非常认真。\n{}\n下课以后同学们一起去操场上踢足球。"
RULE = OverlapRule(
    fraction=0.5, question_fraction=0.6, min_question_chars=15, min_ngrams=3, stem_evidence=1, option_evidence=1
)


@pytest.fixture(scope="module")
def index() -> BenchmarkIndex:
    return build_index([ITEM, SHORT], n=6, rule=RULE)


def _doc(block: str) -> str:
    return CARRIER.format(block)


def test_totals_per_view(index):
    stem_chars = len(normalize_for_hashing(STEM))
    assert index.totals[0, VIEWS.index("question")] == stem_chars - 6 + 1
    # options of 6+ characters add windows to segments; lettered/plain add the windows across the boundaries
    assert index.totals[0, VIEWS.index("segments")] > index.totals[0, 0]
    assert index.totals[0, VIEWS.index("lettered")] > index.totals[0, VIEWS.index("segments")] - 4
    # the short item's options are shorter than n: its segments view is its question view and never counts
    assert index.totals[1, 1] == index.totals[1, 0]
    assert index.need[1, 1] == np.iinfo(np.uint32).max


@pytest.mark.parametrize(
    "block, view",
    [
        (STEM + "\nA. 三十六摄氏度\nB. 三十七点八摄氏度\nC. 三十六点五摄氏度\nD. 三十七摄氏度", "lettered"),
        (STEM + " 三十六摄氏度 三十七点八摄氏度 三十六点五摄氏度 三十七摄氏度", "plain"),
        (STEM + "\nA、三十七摄氏度\nB、三十六点五摄氏度\nC、三十七点八摄氏度\nD、三十六摄氏度", "segments"),
        (STEM, "question"),
    ],
)
def test_match_variants(index, block, view):
    [match] = index.match([_doc(block)])
    assert match is not None
    assert (match.benchmark, match.item_id, match.view) == ("bench", "f:1", view)
    assert match.label == "bench/f:1"
    assert 0.5 <= match.overlap <= 1.0


def test_edited_stem_still_matches(index):
    edited = STEM.replace("孵化室", "孵化房").replace("最适温度", "最合适温度")
    assert index.match([_doc(edited)])[0] is not None


def test_no_match(index):
    half = STEM[: len(STEM) // 3]  # a third of the stem: under question_fraction
    options_only = "三十六摄氏度 三十七点八摄氏度 三十六点五摄氏度 三十七摄氏度"
    assert index.match([_doc(half), _doc(options_only), _doc(""), "", None, "无关的文字"]) == [None] * 6


def test_short_stem_needs_its_options():
    index = build_index([SHORT], n=5, rule=RULE)
    quoted = "孟子说过：“天时不如地利，地利不如人和”出自此处的道理大家都懂。"
    assert index.match([quoted]) == [None]  # a famous quotation is not the item
    exam = "“天时不如地利，地利不如人和”出自（ ）\nA.《孟子》 B.《论语》 C.《庄子》 D.《春秋》"
    [match] = index.match([exam])
    assert match is not None and match.view == "lettered"
    loose = build_index([SHORT], n=5, rule=OverlapRule(min_question_chars=10))
    assert loose.match([quoted])[0] is not None  # a lower stem length lets the stem alone match


def test_evidence_rules():
    item = BenchmarkItem(
        "b",
        "f:3",
        "下面的主页地址中正确的写法是",
        ("Http://www.sina.Com.cn", "Http:/www.sina.com.cn", "Http:www.sina.Com.cn", "Http//www.sina.Com.cn"),
    )
    doc = "请访问 http://www.sina.com.cn 查看新闻"
    strict = build_index([item], n=6, rule=OverlapRule(fraction=0.5, stem_evidence=1))
    assert strict.match([doc]) == [None]
    loose = build_index([item], n=6, rule=OverlapRule(fraction=0.5, stem_evidence=0))
    assert loose.match([doc])[0] is not None  # the options alone make half of the segments view


def test_min_ngrams_disables_tiny_views():
    item = BenchmarkItem("b", "f:4", "二十四节气", ("立春",))
    index = build_index([item], n=5, rule=OverlapRule(min_ngrams=3, min_question_chars=1))
    assert index.totals[0].tolist() == [1, 1, 4, 3]
    assert index.match(["二十四节气a立春"]) == [Match("b", "f:4", 1.0, 4, "lettered")]
    assert index.match(["二十四节气"]) == [None]  # the question view has 1 n-gram < min_ngrams


def test_generic_ngrams_are_dropped():
    items = [BenchmarkItem("b", f"f:{k}", f"下列说法正确的是第{k}号题目的内容", ()) for k in range(5)]
    index = build_index(items, n=8, max_items_per_ngram=3)
    generic = normalize_for_hashing("下列说法正确的是")
    code_points, offsets = normalize_batch([generic])
    assert index.lookup(ngram_hashes(code_points, offsets, 8)[0]).tolist() == [-1]
    assert index.meta["generic_ngrams_dropped"] >= 1
    full = len(normalize_for_hashing(items[0].question)) - 8 + 1
    assert 0 < index.totals[0, 0] < full


def test_best_item_wins_and_batch_is_independent(index):
    exam = "“天时不如地利，地利不如人和”出自\nA.《孟子》 B.《论语》 C.《庄子》 D.《春秋》"
    both = _doc(STEM[:12]) + "\n" + exam + "\n" + STEM
    texts = ["无关", both, _doc(STEM)]
    batch = index.match(texts)
    assert [index.match([t])[0] for t in texts] == batch
    assert batch[0] is None
    assert batch[1].item_id in ("f:1", "f:2") and batch[1].overlap == 1.0
    result = index.match_batch(texts)
    assert result.contaminated.tolist() == [False, True, True]
    assert result.item.tolist()[0] == -1 and result.view.tolist()[0] == -1


def test_save_load_roundtrip(tmp_path, index):
    folder = index.save(tmp_path / "idx")
    expected = sorted([f"{name}.npy" for name in BenchmarkIndex.ARRAYS] + ["index.json"])
    assert sorted(p.name for p in folder.iterdir()) == expected
    loaded = BenchmarkIndex.load(folder)
    assert isinstance(loaded.hashes, np.memmap)
    assert loaded.rule == RULE and loaded.n == 6 and loaded.names == index.names
    texts = [_doc(STEM), _doc("无关"), "“天时不如地利，地利不如人和”出自 A.《孟子》 B.《论语》 C.《庄子》 D.《春秋》"]
    assert loaded.match(texts) == index.match(texts)
    assert loaded.summary() == index.summary()
    meta = json.loads((folder / "index.json").read_text())
    meta["version"] = 99
    (folder / "index.json").write_text(json.dumps(meta))
    with pytest.raises(RecipeError, match="version"):
        BenchmarkIndex.load(folder)


def test_build_errors_and_rule_validation():
    with pytest.raises(RecipeError, match="unique"):
        build_index([ITEM, ITEM])
    with pytest.raises(RecipeError, match=">= 2"):
        build_index([ITEM], n=1)
    with pytest.raises(RecipeError):
        OverlapRule(fraction=0)
    with pytest.raises(RecipeError):
        OverlapRule(option_evidence=0)
    empty = build_index([])
    assert empty.match(["任何文字"]) == [None]
    assert REASON == "benchmark_overlap" and DEFAULT_N >= 5


# --- real benchmarks ----------------------------------------------------------------------------------------------


def test_default_benchmarks_load(shared_data):
    specs = default_benchmarks(shared_data)
    items = load_benchmarks(specs)
    counts = {name: sum(1 for i in items if i.benchmark == name) for name in ("cmmlu", "gaokao_bench")}
    assert counts == {"cmmlu": 11582, "gaokao_bench": 1781}
    assert len(specs[0].files()) == 67 and len(specs[1].files()) == 14
    gaokao = [i for i in items if i.benchmark == "gaokao_bench"]
    assert sum(1 for i in gaokao if len(i.options) >= 2) / len(gaokao) > 0.95
    assert not any(i.question.startswith(("1．", "1.")) for i in gaokao[:50])


def test_lookup_equals_a_plain_search(index):
    rng = np.random.default_rng(0)
    queries = np.concatenate(
        [rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64), np.asarray(index.hashes)[::3]]
    )
    rng.shuffle(queries)
    found = index.lookup(queries)
    member = np.isin(queries, index.hashes)
    assert (found >= 0).tolist() == member.tolist()
    assert (np.asarray(index.hashes)[found[member]] == queries[member]).all()
    assert index.lookup(np.empty(0, dtype=np.uint64)).tolist() == []


def test_count_pairs():
    counts = count_pairs(np.array([3, 3, 3, 0]), np.array([5, 5, 2, 5]), np.array([0b0011, 0b0110, 0b1000, 0b0001]))
    assert counts.doc.tolist() == [0, 3, 3] and counts.item.tolist() == [5, 2, 5]
    assert counts.counts.tolist() == [[1, 0, 0, 0], [0, 0, 0, 1], [1, 2, 1, 0]]
    assert count_pairs([], [], []).counts.shape == (0, len(VIEWS))


def test_worker_index_is_opened_once(tmp_path, index):
    folder = index.save(tmp_path / "idx")
    first = worker_index(folder)
    assert worker_index(folder) is first and first.match([_doc(STEM)]) == index.match([_doc(STEM)])
    build_index([ITEM], n=6, rule=RULE).save(folder)  # rewritten: opened again
    assert worker_index(folder) is not first and len(worker_index(folder)) == 1
    assert index_fingerprint(folder) != index_fingerprint(index.save(tmp_path / "other"))
