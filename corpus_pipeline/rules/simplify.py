"""Traditional to simplified Chinese with OpenCC, one converter per process."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=4)
def converter(config: str = "t2s") -> opencc.OpenCC:
    """The OpenCC converter for ``config`` (``t2s``, ``tw2s``, ``hk2s``...), created once per process."""
    return opencc.OpenCC(config)


def to_simplified(text: str, config: str = "t2s") -> str:
    return converter(config).convert(text) if text else text
