"""One record read from an input file, before cleaning: a document or a quarantined record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RawRecord:
    """A record parsed from one input file.

    ``path`` is the file's locator (relative to the input root it was found under) and ``offset``
    the record's index within the file (0 for one-document-per-file formats); together with the
    source they make a stable id when the input gives none. Exactly one of ``text`` and ``html`` is
    set on a good record; a record that could not be read has ``quarantine`` (a snake_case reason),
    ``detail`` (the error) and ``sample`` (up to 200 characters of what was read) instead.
    """

    path: str
    offset: int
    raw_bytes: int
    id: str | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    text: str | None = None
    html: str | None = None
    meta: str | None = None
    quarantine: str | None = None
    detail: str | None = None
    sample: str | None = None
