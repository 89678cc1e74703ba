"""Finding rules/ and models/ without a checkout: what spark-submit shipped, in SparkFiles or the working dir."""

from __future__ import annotations

import zipfile

import pytest

from corpus_pipeline.io import resources
from corpus_pipeline.recipe import RecipeError, load_recipe
from tests.conftest import REPO_ROOT
from tests.spark_session import module_session

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request, "local[1]")


def test_the_checkout_comes_first():
    assert resources.resource_dir("rules") == REPO_ROOT / "rules"
    assert resources.resource_dir("models") == REPO_ROOT / "models"
    with pytest.raises(ValueError, match="unknown resource folder 'jobs'"):
        resources.resource_dir("jobs")


def test_without_a_checkout_the_archive_shipped_with_spark_is_used(spark, tmp_path, monkeypatch):
    archive = tmp_path / "rules.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(REPO_ROOT / "rules" / "recipes" / "default.yaml", "recipes/default.yaml")
        bundle.write(REPO_ROOT / "rules" / "ad_keywords.txt", "ad_keywords.txt")
    spark.sparkContext.addArchive(f"{archive}#rules")  # what --archives rules.zip#rules does at start-up
    monkeypatch.setattr(resources, "SOURCE_ROOT", tmp_path / "corpus_pipeline.zip")  # as when zipped
    shipped = resources.shipped_root() / "rules"
    assert resources.resource_dir("rules") == shipped
    recipe = load_recipe()
    assert recipe.rules_path("ad_keywords.txt") == shipped / "ad_keywords.txt"
    assert recipe.rules_path("ad_keywords.txt").read_bytes() == (REPO_ROOT / "rules" / "ad_keywords.txt").read_bytes()


def test_yarn_containers_find_archives_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "SOURCE_ROOT", tmp_path / "corpus_pipeline.zip")
    monkeypatch.setattr(resources, "shipped_root", lambda: None)  # no SparkContext in this process yet
    (tmp_path / "container" / "models").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "container")
    assert resources.resource_dir("models") == tmp_path / "container" / "models"
    with pytest.raises(
        RecipeError,
        match=r"no rules/ folder found \(tried .*\); under spark-submit ship it with "
        r"--archives rules.zip#rules",
    ):
        load_recipe()


def test_a_recipe_shipped_with_files_is_found_by_its_name(spark, tmp_path, monkeypatch):
    recipe = tmp_path / "mine.yaml"
    recipe.write_text((REPO_ROOT / "rules" / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    spark.sparkContext.addFile(str(recipe))  # --files mine.yaml
    monkeypatch.chdir(tmp_path / "..")
    assert resources.shipped_file("mine.yaml") == resources.shipped_root() / "mine.yaml"
    assert load_recipe("mine.yaml").sha256() == load_recipe(recipe).sha256()
