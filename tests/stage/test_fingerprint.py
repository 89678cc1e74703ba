"""Fingerprints: what makes a committed stage output reusable, and what does not."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from corpus_pipeline.stage.fingerprint import code_version, input_fingerprint, read_marker, stage_fingerprint
from tests.conftest import REPO_ROOT
from tests.spark_session import module_session

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request, "local[1]")


def test_code_version_hashes_the_library_source_and_is_the_same_from_a_zip(tmp_path):
    version = code_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", version)
    archive = tmp_path / "corpus_pipeline.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((REPO_ROOT / "corpus_pipeline").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, path.relative_to(REPO_ROOT).as_posix())
    script = (
        "import corpus_pipeline, json; from corpus_pipeline.stage.fingerprint import code_version; "
        "print(json.dumps([corpus_pipeline.__file__, code_version()]))"
    )
    env = {**os.environ, "PYTHONPATH": str(archive)}
    where, zipped = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    assert where.startswith(str(archive)) and zipped == version


def test_stage_fingerprint_changes_with_every_ingredient():
    base = stage_fingerprint("quality", ["in-a"], "recipe-1", {"kenlm_model": "m1"})
    assert base == stage_fingerprint("quality", ["in-a"], "recipe-1", {"kenlm_model": "m1"})
    assert base["code_version"] == code_version() and base["stage"] == "quality"
    changed = [
        stage_fingerprint("dedup", ["in-a"], "recipe-1", {"kenlm_model": "m1"}),
        stage_fingerprint("quality", ["in-b"], "recipe-1", {"kenlm_model": "m1"}),
        stage_fingerprint("quality", ["in-a"], "recipe-2", {"kenlm_model": "m1"}),
        stage_fingerprint("quality", ["in-a"], "recipe-1", {"kenlm_model": "m2"}),
    ]
    prints = {base["fingerprint"], *(item["fingerprint"] for item in changed)}
    assert len(prints) == 5 and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in prints)


def test_input_fingerprint_follows_file_content_and_committed_markers(spark, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text('{"text": "一"}\n', encoding="utf-8")
    first = input_fingerprint(spark, str(raw), {"source": "web"})
    assert first == input_fingerprint(spark, str(raw), {"source": "web"})
    assert first != input_fingerprint(spark, str(raw), {"source": "news"})
    (raw / "a.jsonl").write_text('{"text": "一二"}\n', encoding="utf-8")
    assert input_fingerprint(spark, str(raw), {"source": "web"}) != first

    stage = tmp_path / "stage"
    stage.mkdir()
    assert read_marker(spark, str(stage)) is None
    (stage / "_SUCCESS").write_text("")  # written by an older version: no fingerprint, files decide
    assert read_marker(spark, str(stage)) == {}
    (stage / "_SUCCESS").write_text(json.dumps({"fingerprint": "f" * 64}))
    assert input_fingerprint(spark, str(stage)) == "f" * 64
