"""Single bad inputs that used to abort the clean stage or lose records (issue 17), in Spark local mode.

Each bad record or file sits beside good ones that must be kept, and the stage's conservation must hold:
lone surrogates in JSON strings, invalid UTF-8 in parquet strings, unreadable and mismatched parquet files,
file names that are not URIs, UTF-16/32 files, our own stage output inside an input folder, broken links, and
blank or non-finite ids.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import os

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.errors import InputError
from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

ARTICLE = "\n".join(
    [
        "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。",
        "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。",
        "分析人士认为，各项措施落地见效以后，全年经济增长目标有望顺利实现，市场信心持续增强。",
        "下一步，有关部门将继续加大政策支持力度，推动经济运行持续向好，确保完成全年目标任务。",
    ]
)
NAMES = [
    "a:b.jsonl",
    "sp ace.jsonl",
    "h#ash.jsonl",
    "pc%20t.jsonl",
    "q?.jsonl",
    "br[1].jsonl",
    "中文.jsonl",
    "a+b.jsonl",
]


def doc(tag: str, **fields) -> dict:
    return {"url": f"u:{tag}", "text": f"{ARTICLE}\n第{len(tag)}号：{tag}", **fields}


def line(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    folders = {name: root / name for name in ("jsonl", "names", "wide", "pq", "selfish")}
    for folder in folders.values():
        folder.mkdir()

    # 3. lone surrogates: in text, title, id, url, a nested meta value, a meta key; neighbours must survive
    lines = [
        line(doc("j-ok-1", id="j-ok-1")),
        b'{"id": "j-sur-text", "text": "' + ARTICLE.replace("\n", "\\n").encode() + b'\\ud800"}\n',
        line(doc("j-ok-2", id="j-ok-2")),
        b'{"id": "j-sur-title", "title": "\\udfff", "text": "x"}\n',
        b'{"id": "j-sur-meta", "text": "x", "m": {"k": ["ok", "\\uDBFF"]}}\n',
        b'{"id": "\\ud800", "text": "x"}\n',
        b'{"url": "http://a/\\udc00", "text": "x"}\n',
        b'{"text": "x", "\\ud801": 1}\n',
        line(doc("j-ok-3", id="j-ok-3")),
        # minor: blank and non-finite ids are missing ones (the id is derived); NaN in meta is valid JSON
        line(doc("id-empty", id="")),
        line(doc("id-blank", id=" \u3000")),
        line(doc("id-null", id=None)),
        b'{"id": NaN, "url": "u:id-nan", "text": "' + ARTICLE.replace("\n", "\\n").encode() + b'nan"}\n',
        b'{"id": Infinity, "url": "u:id-inf", "text": "' + ARTICLE.replace("\n", "\\n").encode() + b'inf", '
        b'"score": NaN, "range": [-Infinity, 1.5]}\n',
    ]
    (folders["jsonl"] / "mixed.jsonl").write_bytes(b"".join(lines))
    array = [doc("arr-ok-1"), "SURROGATE", doc("arr-ok-2")]
    text = json.dumps(array, ensure_ascii=False).replace('"SURROGATE"', '{"text": "a\\ud800"}')
    (folders["jsonl"] / "array.json").write_text(text, encoding="utf-8")

    # 7. names that are not URIs, in a folder, named directly and matched by a glob; a broken link beside them
    for name in NAMES:
        (folders["names"] / name).write_bytes(line(doc(f"names/{name}")))
    (folders["names"] / "a:b[1].jsonl").write_bytes(line(doc("names/a:b[1].jsonl")))  # Spark cannot read it
    os.symlink(folders["names"] / "gone.jsonl", folders["names"] / "broken.jsonl")

    # 9. UTF-16 / UTF-32, with and without BOM, compressed, as a JSON array, a text file and an HTML page
    three = b"".join(line(doc(f"wide/{i}")) for i in range(3)).decode()
    (folders["wide"] / "bom16.jsonl").write_bytes(three.encode("utf-16"))
    (folders["wide"] / "le16.jsonl").write_bytes(three.encode("utf-16-le"))
    (folders["wide"] / "be16.jsonl.gz").write_bytes(gzip.compress(three.encode("utf-16-be")))
    (folders["wide"] / "bom32.jsonl").write_bytes(three.encode("utf-32"))
    (folders["wide"] / "le32.jsonl.bz2").write_bytes(bz2.compress(three.encode("utf-32-le")))
    (folders["wide"] / "array16.json").write_bytes(
        json.dumps([doc("wide/a0"), doc("wide/a1")], ensure_ascii=False).encode("utf-16")
    )
    (folders["wide"] / "doc16.txt").write_bytes((ARTICLE + "\n文本").encode("utf-16"))

    # 4. parquet: ids of different types, a file that is not parquet, one cut short, a text that is not a
    # string, a type Spark cannot read, invalid UTF-8, blank and NaN ids, odd column and file names
    pqdir = folders["pq"]
    pq.write_table(
        pa.table({"id": pa.array([1, 2], pa.int64()), "text": [ARTICLE + "a1", ARTICLE + "a2"]}),
        pqdir / "int64.parquet",
    )
    pq.write_table(
        pa.table(
            {"id": ["s1", "s2"], "text": pa.array([ARTICLE + "s1", ARTICLE + "s2"], pa.large_string()), "extra": [1, 2]}
        ),
        pqdir / "string.parquet",
    )
    pq.write_table(
        pa.table({"id": pa.array([3], pa.int32()), "text": [ARTICLE + "i3"], "a.b": ["dotted"], "sp ace": [1.5]}),
        pqdir / "int32.parquet",
    )
    (pqdir / "not.parquet").write_bytes(b"this is not a parquet file\n" * 10)
    whole = (pqdir / "int64.parquet").read_bytes()
    (pqdir / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    pq.write_table(pa.table({"id": ["n1"], "text": pa.array([7], pa.int64())}), pqdir / "numtext.parquet")
    pq.write_table(
        pa.table({"id": ["t1"], "text": [ARTICLE], "at": pa.array([1], pa.timestamp("ns"))}), pqdir / "nanos.parquet"
    )
    bad_utf8 = pa.array([(ARTICLE + "u1").encode(), b"\xff\xfe" + ARTICLE.encode()], pa.binary()).view(pa.string())
    pq.write_table(pa.table({"id": ["u1", "u2"], "text": bad_utf8}), pqdir / "utf8.parquet")
    pq.write_table(
        pa.table(
            {
                "id": pa.array([float("nan"), 7.0, float("inf")]),
                "text": [ARTICLE + "f1", ARTICLE + "f2", ARTICLE + "f3"],
            }
        ),
        pqdir / "float.parquet",
    )
    pq.write_table(
        pa.table({"id": ["", "  ", "h1"], "text": [ARTICLE + "h1", ARTICLE + "h2", ARTICLE + "h3"]}),
        pqdir / "blank.parquet",
    )
    pq.write_table(
        pa.table({"id": ["bin"], "html": pa.array([f"<p>{ARTICLE}</p>".encode()], pa.binary())}),
        pqdir / "binary.parquet",
    )
    for name in ("sp ace.parquet", "a:b.parquet", "pc%20+.parquet"):  # the blank id is derived from the name
        pq.write_table(pa.table({"id": [name, ""], "text": [ARTICLE + name, ARTICLE]}), pqdir / name)

    # 5. a stage output of ours inside an input folder: never read back (its kept/ holds the same id)
    selfish = folders["selfish"]
    (selfish / "a.jsonl").write_bytes(line(doc("self/a", id="self-a")))
    for part in ("kept", "removed", "quarantine"):
        (selfish / "out" / part).mkdir(parents=True)
        pq.write_table(pa.table({"id": ["self-a"], "text": [ARTICLE]}), selfish / "out" / part / "part-0.parquet")
    (selfish / "out" / "stats.json").write_text(json.dumps({"stage": "clean", "documents": {"in": 1}}))
    (selfish / "out" / "_SUCCESS").write_text(json.dumps({"stage": "clean", "fingerprint": "0" * 64}))

    names = folders["names"]
    return [
        InputSpec(path=str(folders["jsonl"]), source="jsonl"),
        InputSpec(path=str(names), source="names"),
        InputSpec(path=str(names / "a:b.jsonl"), source="direct_colon"),
        InputSpec(path=str(names / "br[1].jsonl"), source="direct_glob_chars"),
        InputSpec(path=str(names / "*.jsonl"), source="glob"),
        InputSpec(path=str(folders["wide"]), source="wide"),
        InputSpec(path=str(pqdir), source="pq"),
        InputSpec(path=str(selfish), source="selfish"),
    ]


@pytest.fixture(scope="module")
def result(spark, inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "out"
    stats = run_stage(spark, "clean", inputs, str(out), load_recipe())
    return out, stats


def rows(out, part):
    return ds.dataset(out / part, format="parquet").to_table().to_pylist()


def outcomes(out, source):
    """(url or id) -> outcome and reason, for one source."""
    found = {}
    for part in ("kept", "removed"):
        for row in rows(out, part):
            if row["source"] == source:
                found[row["url"] or row["id"]] = (part, row.get("reason"))
    for row in rows(out, "quarantine"):
        if row["source"] == source:
            found[f"{row['path']}#{row['offset']}"] = ("quarantine", row["reason"])
    return found


def test_conservation_holds_and_nothing_aborted(result):
    out, stats = result
    assert (out / "_SUCCESS").exists()
    docs = stats["documents"]
    written = {part: len(rows(out, part)) for part in ("kept", "removed", "quarantine")}
    assert docs["in"] == sum(written.values()) == docs["kept"] + docs["removed"] + docs["quarantined"]
    assert json.loads((out / "stats.json").read_text())["conservation"]["ok"] is True


def test_lone_surrogates_quarantine_only_their_record(result):
    out, _ = result
    found = outcomes(out, "jsonl")
    assert {key: value for key, value in found.items() if key.startswith("mixed.jsonl#")} == {
        f"mixed.jsonl#{offset}": ("quarantine", "invalid_unicode") for offset in (1, 3, 4, 5, 6, 7)
    }
    assert {found[f"u:{tag}"] for tag in ("j-ok-1", "j-ok-2", "j-ok-3")} == {("kept", None)}
    assert found["array.json#1"] == ("quarantine", "invalid_unicode")
    assert found["u:arr-ok-1"] == found["u:arr-ok-2"] == ("kept", None)
    details = {
        row["offset"]: (row["detail"], row["sample"]) for row in rows(out, "quarantine") if row["path"] == "mixed.jsonl"
    }
    assert details[1][0] == f"field text holds a lone surrogate U+D800 at character {len(ARTICLE)}"
    assert details[1][1].startswith(ARTICLE[:50])
    assert details[3][0].startswith("field title holds a lone surrogate U+DFFF")
    assert details[5][0].startswith("field id holds")


def test_blank_and_non_finite_ids_are_derived(result):
    out, _ = result
    kept = {row["url"]: row for row in rows(out, "kept") if row["source"] == "jsonl"}
    for tag, offset in (("id-empty", 9), ("id-blank", 10), ("id-null", 11), ("id-nan", 12), ("id-inf", 13)):
        expected = hashlib.sha256(f"jsonl\x00mixed.jsonl\x00{offset}".encode()).hexdigest()[:32]
        assert kept[f"u:{tag}"]["id"] == expected, tag
    assert json.loads(kept["u:id-inf"]["meta"]) == {"score": "NaN", "range": ["-Infinity", 1.5]}


def test_names_that_are_not_uris_are_read(result):
    out, _ = result
    for source in ("names", "glob"):
        found = outcomes(out, source)
        assert {found[f"u:names/{name}"] for name in NAMES} == {("kept", None)}, source
        assert found["a:b[1].jsonl#0"] == ("quarantine", "unreadable_file")
    assert outcomes(out, "direct_colon") == {"u:names/a:b.jsonl": ("kept", None)}
    assert outcomes(out, "direct_glob_chars") == {"u:names/br[1].jsonl": ("kept", None)}


def test_a_broken_link_is_quarantined_not_skipped(result):
    out, _ = result
    [broken] = [row for row in rows(out, "quarantine") if row["path"] == "broken.jsonl"]
    assert (broken["source"], broken["reason"]) == ("names", "unreadable_file")
    assert broken["detail"].startswith("broken symbolic link to ")


def test_utf16_and_utf32_files_are_decoded(result):
    out, _ = result
    found = outcomes(out, "wide")
    assert not [key for key, value in found.items() if value[0] == "quarantine"]
    assert {found[f"u:wide/{i}"] for i in range(3)} == {("kept", None)}
    kept = [row for row in rows(out, "kept") if row["source"] == "wide"]
    assert len(kept) == 5 * 3 + 2 + 1  # five JSONL files of three records, a two-element array, a text file
    assert sum(row["text"].endswith("文本") for row in kept) == 1


def test_parquet_bad_files_are_quarantined_and_types_cast(result):
    out, _ = result
    found = outcomes(out, "pq")
    quarantined = {key: value[1] for key, value in found.items() if value[0] == "quarantine"}
    assert quarantined == {
        "not.parquet#0": "unreadable_parquet",
        "cut.parquet#0": "unreadable_parquet",
        "numtext.parquet#0": "incompatible_schema",
        "nanos.parquet#0": "incompatible_schema",
        "utf8.parquet#1": "invalid_unicode",
    }
    kept = {row["id"]: row for row in rows(out, "kept") if row["source"] == "pq"}
    assert {"1", "2", "s1", "s2", "3", "u1", "7.0", "h1", "bin", "sp ace.parquet", "a:b.parquet"} <= set(kept)
    assert json.loads(kept["3"]["meta"]) == {"a.b": "dotted", "sp ace": 1.5}
    assert json.loads(kept["s1"]["meta"]) == {"extra": 1}
    details = {row["path"]: row["detail"] for row in rows(out, "quarantine") if row["source"] == "pq"}
    assert "not a Parquet file" in details["not.parquet"]
    assert details["numtext.parquet"] == "column 'text' is bigint, not a string"
    assert "TIMESTAMP(NANOS" in details["nanos.parquet"]
    assert details["utf8.parquet"] == "'text' is not valid UTF-8"


def test_parquet_blank_and_nan_ids_are_derived(result):
    out, _ = result
    kept = [row for row in rows(out, "kept") if row["source"] == "pq"]
    derived = {
        hashlib.sha256(f"pq\x00{path}\x00{offset}".encode()).hexdigest()[:32]
        for path, offset in (
            ("float.parquet", 0),
            ("float.parquet", 2),
            ("blank.parquet", 0),
            ("blank.parquet", 1),
            ("sp ace.parquet", 1),
            ("a:b.parquet", 1),
            ("pc%20+.parquet", 1),
        )
    }
    assert derived <= {row["id"] for row in kept}
    assert not {"nan", "NaN", "inf", "Infinity", "", "  "} & {row["id"] for row in kept}


def test_our_own_output_inside_an_input_folder_is_not_read(result):
    out, stats = result
    found = outcomes(out, "selfish")
    assert found == {"u:self/a": ("kept", None)}  # no stats.json lines, no duplicate_id from out/kept
    assert [path.rsplit("/", 1)[1] for path in stats["listing"]["skipped_outputs"]] == ["out"]


def test_parquet_input_without_any_text_column_is_an_input_error(spark, tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    pq.write_table(pa.table({"id": [1], "body": ["x"]}), folder / "a.parquet")
    pq.write_table(pa.table({"id": ["2"], "content": ["y"]}), folder / "b.parquet")
    with pytest.raises(InputError, match="parquet input needs a 'text' or 'html' column"):
        run_stage(spark, "clean", [InputSpec(path=str(folder), source="t")], str(tmp_path / "out"), load_recipe())
