import os

import pytest
import yaml

from corpus_pipeline.io.resources import resource_dir
from corpus_pipeline.recipe import DEFAULT_RECIPE_NAME, RecipeError, load_recipe, parse_recipe


def base():
    return yaml.safe_load((resource_dir("rules") / DEFAULT_RECIPE_NAME).read_text(encoding="utf-8"))


def test_default_recipe_loads_and_is_pangu_table_3():
    recipe = load_recipe()
    # scored and masked, never filtered
    assert recipe.steps_for("encyclopedia") == frozenset({"benchmark_overlap", "perplexity", "mask_pii", "dedup"})
    assert recipe.perplexity.max_perplexity is None
    assert all({"benchmark_overlap", "perplexity", "mask_pii"} <= recipe.steps_for(source) for source in recipe.sources)
    assert {"blocked_domain"} <= recipe.steps_for("web") & recipe.steps_for("default")
    # web pages: web-spam and repetition rules; no quality classifier (measured on the labelled web set)
    assert {"webspam", "repetition"} <= recipe.steps_for("web") & recipe.steps_for("default")
    assert "quality" not in recipe.steps_for("web") | recipe.steps_for("default") and "quality" in recipe.steps_for(
        "reviews"
    )
    assert {"sensitive_words", "spam"} <= recipe.steps_for("ebook")
    assert "strip_navigation" not in recipe.steps_for("ebook")
    assert recipe.steps_for("unknown-source") == recipe.steps_for("default")
    assert recipe.clean.filters.min_cjk_ratio == 0.6 and recipe.clean.filters.min_chars == 150


@pytest.mark.parametrize("percentiles", [[60, 30], [0, 50], [30, 100], [30]])
def test_perplexity_bucket_percentiles_must_be_two_increasing_inside_0_100(percentiles):
    data = base()
    data["perplexity"]["bucket_percentiles"] = percentiles
    with pytest.raises(RecipeError, match=r"perplexity\.bucket_percentiles"):
        parse_recipe(data)


def test_perplexity_threshold_must_be_positive():
    data = base()
    data["perplexity"]["max_perplexity"] = 0
    with pytest.raises(RecipeError, match=r"perplexity\.max_perplexity: .*greater than 0"):
        parse_recipe(data)


def test_unknown_top_level_key_is_named():
    data = base() | {"colour": "blue"}
    with pytest.raises(RecipeError, match=r"colour: unknown key"):
        parse_recipe(data)


def test_unknown_nested_key_is_named():
    data = base()
    data["clean"]["filters"]["min_cjk_ratoi"] = 0.5
    with pytest.raises(RecipeError, match=r"clean\.filters\.min_cjk_ratoi: unknown key"):
        parse_recipe(data)


def test_bad_value_is_named():
    data = base()
    data["clean"]["filters"]["min_cjk_ratio"] = 1.5
    with pytest.raises(RecipeError, match=r"clean\.filters\.min_cjk_ratio: .*less than or equal to 1"):
        parse_recipe(data)


def test_unknown_step_is_named():
    data = base()
    data["sources"]["web"]["steps"].append("make_it_better")
    with pytest.raises(RecipeError, match=r"sources\.web\.steps\.\d+: .*make_it_better"):
        parse_recipe(data)


def test_default_source_required():
    data = base()
    del data["sources"]["default"]
    with pytest.raises(RecipeError, match="sources must define 'default'"):
        parse_recipe(data)


def test_bad_input_format_and_version():
    data = base() | {"inputs": [{"path": "x", "format": "docx"}], "version": 2}
    with pytest.raises(RecipeError) as error:
        parse_recipe(data)
    assert "inputs.0.format" in str(error.value) and "version" in str(error.value)


def test_rules_dir_relative_to_recipe_file(tmp_path):
    data = base() | {"rules_dir": "myrules"}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    recipe = load_recipe(path)
    assert recipe.rules_path("x.txt") == tmp_path / "myrules" / "x.txt"


def test_recipe_hash_changes_with_a_threshold():
    data = base()
    first = parse_recipe(data).sha256()
    data["clean"]["filters"]["min_chars"] = 100
    assert parse_recipe(data).sha256() != first


def test_dedup_defaults_and_errors():
    assert load_recipe().dedup.threshold == 0.8 and load_recipe().dedup.ngram == 5
    base = {"sources": {"default": {"steps": ["dedup"]}}}
    with pytest.raises(RecipeError, match=r"dedup: Value error, set both bands and rows, or neither"):
        parse_recipe({**base, "dedup": {"bands": 9}})
    with pytest.raises(RecipeError, match=r"bands \* rows = 130 exceeds num_perm = 128"):
        parse_recipe({**base, "dedup": {"bands": 10, "rows": 13}})
    with pytest.raises(RecipeError, match=r"dedup.shingle_size: unknown key"):
        parse_recipe({**base, "dedup": {"shingle_size": 5}})
    with pytest.raises(RecipeError, match=r"dedup.threshold: Input should be less than or equal to 1"):
        parse_recipe({**base, "dedup": {"threshold": 1.5}})


def test_a_recipe_path_that_is_missing_a_folder_or_not_utf8_is_a_recipe_error(tmp_path):
    with pytest.raises(RecipeError, match=rf"^recipe {tmp_path / 'nope.yaml'}: no such file$"):
        load_recipe(tmp_path / "nope.yaml")
    with pytest.raises(RecipeError, match=rf"^recipe {tmp_path}: is a folder, not a YAML file$"):
        load_recipe(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("sources: {default: {steps: [normalize]}}\n# café\n".encode("latin-1"))
    with pytest.raises(RecipeError, match=r"latin1.yaml: not UTF-8 text \(byte 0xe9 at offset 46\)$"):
        load_recipe(latin1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_recipe_is_a_recipe_error(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("sources: {default: {steps: [normalize]}}\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(RecipeError, match=r"secret.yaml: permission denied$"):
        load_recipe(path)


def test_recipe_hash_is_the_same_wherever_the_file_lies(tmp_path):
    data = base()
    data["filter"] = {"decontamination": {"data_dir": "data"}}
    data["rules_dir"] = "myrules"
    digests = []
    for folder in ("one", "two"):
        path = tmp_path / folder / "r.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        digests.append(load_recipe(path).sha256())
    assert digests[0] == digests[1]
    assert load_recipe(path).filter.decontamination.data_dir == str(tmp_path / "two" / "data")
