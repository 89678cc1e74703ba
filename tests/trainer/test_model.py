from __future__ import annotations

import pytest
import torch

from corpus_pipeline.trainer.config import GPTConfig, preset
from corpus_pipeline.trainer.model import GPT


@pytest.mark.parametrize(
    "name, millions", [("tiny", 1.04), ("cpm-small", 109), ("cpm-medium", 334), ("probe-350m", 334)]
)
def test_preset_sizes_with_a_30000_vocabulary(name, millions):
    config = preset(name, vocab_size=30000, block_size=1024)
    with torch.device("meta"):  # shapes only: no memory for the 334 M parameter models
        model = GPT(config)
    assert model.num_parameters() / 1e6 == pytest.approx(millions, rel=0.01)
    assert model.lm_head.weight is model.wte.weight


def test_unknown_preset_and_bad_shapes_are_errors():
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        preset("huge", 100, 16)
    with pytest.raises(ValueError, match="multiple of n_head"):
        GPTConfig(n_layer=1, n_embd=30, n_head=4)


def test_logits_do_not_see_the_future():
    torch.manual_seed(0)
    model = GPT(GPTConfig(n_layer=2, n_embd=16, n_head=2, vocab_size=50, block_size=12)).eval()
    tokens = torch.randint(0, 50, (1, 12))
    changed = tokens.clone()
    changed[0, 8:] = (changed[0, 8:] + 1) % 50
    with torch.no_grad():
        before, _ = model(tokens)
        after, _ = model(changed)
    assert torch.equal(before[0, :8], after[0, :8])
    assert not torch.allclose(before[0, 8:], after[0, 8:])


def test_loss_is_cross_entropy_and_sum_matches_mean():
    torch.manual_seed(0)
    model = GPT(GPTConfig(n_layer=1, n_embd=8, n_head=2, vocab_size=20, block_size=6))
    inputs, targets = torch.randint(0, 20, (3, 6)), torch.randint(0, 20, (3, 6))
    logits, mean = model(inputs, targets)
    _, total = model(inputs, targets, reduction="sum")
    expected = torch.nn.functional.cross_entropy(logits.reshape(-1, 20), targets.reshape(-1))
    assert mean.item() == pytest.approx(expected.item())
    assert total.item() == pytest.approx(mean.item() * 18, rel=1e-5)
    with pytest.raises(ValueError, match="longer than block_size"):
        model(torch.zeros(1, 7, dtype=torch.long))


def test_flops_per_token_follows_6n_plus_attention():
    config = preset("cpm-small", vocab_size=30000, block_size=1024)
    with torch.device("meta"):
        model = GPT(config)
    n = model.num_parameters() - 1024 * 768
    assert model.flops_per_token(1024) == 6 * n + 12 * 12 * 768 * 1024
