"""pack with a lab's own tokenizer: a Hugging Face tokenizer.json and a SentencePiece .model, trained here."""

from __future__ import annotations

import pytest

from corpus_pipeline.pack.manifest import iter_documents, read_manifest
from corpus_pipeline.pack.stage import pack_plan
from corpus_pipeline.stage.commit import run_stage
from corpus_pipeline.tokenizer.model import TokenizerError, load_tokenizer, load_tokenizer_spec
from tests.pack.test_stage import FILES, _expected, _recipe, _write_input
from tests.spark_session import module_session

tokenizers = pytest.importorskip("tokenizers")
pytestmark = pytest.mark.spark
# FILES without the text holding "▁": SentencePiece itself writes a space as "▁", so that text cannot round-trip
# through a plain SentencePiece model (ours escapes it; see corpus_pipeline.tokenizer.reversible)
DOCS = [[(source, text) for source, text in rows if "▁" not in text] for rows in FILES]
CORPUS = [text for rows in DOCS for _, text in rows] * 20 + ["English words, numbers 12345 and symbols: @#%&*!"] * 5


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def hf_tokenizer(tmp_path_factory):
    """A byte-level BPE tokenizer.json (every text round-trips) with </s> as its end of sequence."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<pad>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(CORPUS, trainer)
    path = tmp_path_factory.mktemp("hf") / "tokenizer.json"
    tokenizer.save(str(path))
    return path


@pytest.fixture(scope="module")
def sp_model(tmp_path_factory):
    """A SentencePiece model with byte fallback and no normalization (texts round-trip)."""
    import sentencepiece as spm

    folder = tmp_path_factory.mktemp("sp")
    (folder / "corpus.txt").write_text("\n".join(CORPUS), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(folder / "corpus.txt"),
        model_prefix=str(folder / "sp"),
        vocab_size=340,
        hard_vocab_limit=False,
        byte_fallback=True,
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        character_coverage=1.0,
        minloglevel=2,
    )
    return folder / "sp.model"


@pytest.mark.parametrize("kind", ["huggingface", "sentencepiece"])
def test_shards_decode_back_to_the_documents_and_the_manifest_names_the_tokenizer(
    spark, tmp_path, hf_tokenizer, sp_model, kind
):
    path = hf_tokenizer if kind == "huggingface" else sp_model
    _write_input(tmp_path / "in", DOCS)
    recipe = _recipe(partitions=2)
    plan = pack_plan(recipe, {"tokenizer": str(path)})
    run_stage(spark, "pack", [str(tmp_path / "in")], str(tmp_path / "out"), recipe, plan)
    tokenizer = load_tokenizer(path)
    assert list(iter_documents(tmp_path / "out", tokenizer)) == _expected(DOCS)
    entry = read_manifest(tmp_path / "out", verify_sha256=True)["tokenizer"]
    assert entry["kind"] == kind and entry["sha256"] == plan.tokenizer.sha256
    assert entry["vocab_size"] == tokenizer.vocab_size and entry["dtype"] == "uint16"
    assert (entry["eod_token"], entry["eod_id"]) == (("</s>", 1) if kind == "huggingface" else ("</s>", 2))


def test_the_end_of_document_token_can_be_named_and_must_exist(hf_tokenizer, sp_model):
    assert load_tokenizer_spec(hf_tokenizer, "<pad>").eod_id == 0
    with pytest.raises(TokenizerError, match="no token '<nope>'"):
        load_tokenizer_spec(hf_tokenizer, "<nope>")
    with pytest.raises(TokenizerError, match="not a Hugging Face tokenizer.json"):
        load_tokenizer_spec(sp_model.with_suffix(".vocab").rename(sp_model.parent / "bad.json"))
    with pytest.raises(TokenizerError, match="not a SentencePiece model"):
        load_tokenizer_spec(_copy(hf_tokenizer, ".model"))


def _copy(path, suffix):
    target = path.with_suffix(suffix)
    target.write_bytes(path.read_bytes())
    return target
