"""The pipeline's stages, in the order ``corpus-pipeline run`` runs them: one line per stage.

Each line names the module attribute holding the stage object (:class:`corpus_pipeline.stage.base.Stage`);
the modules are imported on first use. Adding a stage is one new module and one line here.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from corpus_pipeline.stage.base import Stage

_REGISTERED = (
    "corpus_pipeline.clean.stage:STAGE",
    "corpus_pipeline.filter.stage:STAGE",
    "corpus_pipeline.quality.stage:STAGE",
    "corpus_pipeline.dedup.stage:STAGE",
    "corpus_pipeline.pack.stage:STAGE",
)


@lru_cache(maxsize=1)
def stages() -> tuple[Stage, ...]:
    """Every stage, in run order."""
    found = []
    for entry in _REGISTERED:
        module, _, attribute = entry.partition(":")
        found.append(getattr(import_module(module), attribute))
    return tuple(found)


def stage_names() -> tuple[str, ...]:
    return tuple(stage.name for stage in stages())


def stage_named(name: str) -> Stage:
    for stage in stages():
        if stage.name == name:
            return stage
    raise KeyError(f"no stage called {name!r}; the stages are {', '.join(stage_names())}")
