"""The raw trec06c e-mails in ``shared/data/spam/raw_gbk`` (GB2312/GBK bytes with headers) decode exactly."""

import pytest

from corpus_pipeline.ingest.decode import decode_bytes
from corpus_pipeline.ingest.formats import detect_format
from corpus_pipeline.ingest.parsers import parse_file


@pytest.fixture(scope="module")
def emails(shared_data):
    folder = shared_data / "spam" / "raw_gbk"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 50  # 25 spam + 25 normal, per the data README
    return files


def test_every_raw_gbk_email_decodes_as_gb18030(emails):
    for path in emails:
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # really not UTF-8: the fallback is what is tested
        assert decode_bytes(data) == (data.decode("gb18030"), "gb18030"), path.name


def test_every_raw_gbk_email_is_one_text_document(emails):
    for path in emails:
        data = path.read_bytes()
        [record] = parse_file(data, path.name, detect_format(path.name))
        assert record.quarantine is None, (path.name, record.quarantine, record.detail)
        assert record.text == data.decode("gb18030"), path.name
        assert "\ufffd" not in record.text, path.name
        assert (record.offset, record.raw_bytes, record.title, record.html) == (0, len(data), None, None)
