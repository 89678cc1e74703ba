import pytest

from corpus_pipeline.ingest.formats import FORMATS, compression_of, detect_format, strip_compression


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("a.jsonl", "jsonl"),
        ("dir/A.JSONL.GZ", "jsonl"),
        ("x.json", "jsonl"),
        ("x.json.bz2", "jsonl"),
        ("s3://bucket/p/part-0.parquet", "parquet"),
        ("t.txt", "text"),
        ("t.TXT.zst", "text"),
        ("mail/spam_1.eml", "text"),
        ("page.html", "html"),
        ("page.HTM.gz", "html"),
        ("crawl.warc", "warc"),
        ("crawl.warc.gz", "warc"),
        ("CC-MAIN-20240101-00000.warc.wet.gz", "wet"),
        ("x.wet", "wet"),
        ("x.wet.zst", "wet"),
    ],
)
def test_detect_format_by_extension(path, fmt):
    assert detect_format(path) == fmt


@pytest.mark.parametrize(
    ("path", "codec"),
    [
        ("a.jsonl.gz", "gzip"),
        ("a.jsonl.GZ", "gzip"),
        ("a.txt.bz2", "bz2"),
        ("a.warc.zst", "zstd"),
        ("a.jsonl", None),
        ("a.gz.txt", None),
        ("dir.gz/a.txt", None),
    ],
)
def test_compression_of(path, codec):
    assert compression_of(path) == codec


def test_strip_compression_lowercases_the_base_name():
    assert strip_compression("Dir/Part-1.JSON.gz") == "part-1.json"
    assert strip_compression("a.txt") == "a.txt"


def test_override_wins_over_the_extension():
    assert detect_format("a.txt", "jsonl") == "jsonl"
    assert detect_format("no_extension", "WARC") == "warc"
    assert detect_format("data.bin.gz", " html ") == "html"


@pytest.mark.parametrize("bad", ["csv", "", "json"])
def test_bad_override_is_rejected_naming_the_value(bad):
    with pytest.raises(ValueError, match=f"unknown format '{bad}'"):
        detect_format("a.jsonl", bad)


@pytest.mark.parametrize("path", ["data/a.csv", "README", "a.gz", "a.tar.gz"])
def test_unknown_extension_without_override_names_the_path(path):
    with pytest.raises(ValueError, match=path.replace(".", r"\.")):
        detect_format(path)


def test_every_detected_format_is_a_known_name():
    for path in ["a.jsonl", "a.parquet", "a.txt", "a.html", "a.warc", "a.wet"]:
        assert detect_format(path) in FORMATS
