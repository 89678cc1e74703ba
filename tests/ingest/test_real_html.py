"""The 62 GeneralNewsExtractor pages in ``shared/data/web_html/gne`` decode through the HTML and WARC paths."""

import gzip
import re

import pytest
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from corpus_pipeline.ingest.decode import html_declared_charset
from corpus_pipeline.ingest.parsers import parse_file

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s+")


@pytest.fixture(scope="module")
def pages(shared_data):
    folder = shared_data / "web_html" / "gne"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    files = sorted(folder.glob("*.html"))
    assert len(files) == 62
    return [(path.name, path.read_bytes()) for path in files]


def han_share(html: str) -> float:
    visible = _SPACE.sub("", extract_plain_text(HTMLTree.parse(html)))
    return len(_HAN.findall(visible)) / max(1, len(visible))


def test_every_page_decodes_through_the_html_path(pages):
    assert sum(data.count("\ufffd".encode()) > 0 for _, data in pages) == 2
    for name, data in pages:
        [record] = parse_file(data, name, "html")
        assert record.quarantine is None, (name, record.quarantine, record.detail)
        # thepaper_2 and thepaper_4 carry 32 literal U+FFFD (bytes EF BF BD) in their article text, as
        # published; decoding must add none
        assert record.html.count("\ufffd") == data.count("\ufffd".encode()), name
        assert han_share(record.html) > 0.20, name
        assert record.raw_bytes == len(data)


def test_pages_labelled_gb2312_but_stored_as_utf8_are_read_as_utf8(pages):
    labelled = [(name, data) for name, data in pages if html_declared_charset(data) == "gb2312"]
    assert len(labelled) >= 3
    for name, data in labelled:
        [record] = parse_file(data, name, "html")
        assert record.html == data.decode("utf-8"), name


def test_every_page_decodes_through_a_warc(pages):
    members = []
    for name, data in pages:
        charset = html_declared_charset(data)
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + data
        head = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://gne/{name}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
        ).encode()
        members.append(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1))
    records = list(parse_file(b"".join(members), "gne.warc.gz", "warc"))
    assert [r.url for r in records] == [f"http://gne/{name}" for name, _ in pages]
    assert [r.html for r in records] == [data.decode("utf-8") for _, data in pages]
