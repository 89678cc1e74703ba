"""The bundled GPT trainer: reads pack outputs (Megatron shards + manifest), trains on CPU or CUDA (DDP under
torchrun), checkpoints and resumes exactly. Needs the ``train`` extra (PyTorch)."""
