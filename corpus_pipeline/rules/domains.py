"""Domain blocklists: a document whose URL's host, or a parent domain of it, is on a list is removed.

Pure code (no Spark). :func:`load_blocklists` reads named list files into a :class:`DomainBlocklists` (one
``frozenset`` of hosts per list name: compact and picklable, shipped to workers as it is);
:func:`blocked_by` ``(url, lists) -> (list_name, matched_domain) | None``. Reason :data:`REASON`
(``blocked_domain``), with the list's name beside it.

**List files**: one entry a line; blank lines and lines starting with ``#`` (or ``!``) are skipped, and so is
anything after `` #`` on a line. An entry is a host (``example.com``), a wildcard (``*.example.com``,
``.example.com``), or a URL (``http://www.example.com:81/path``: houbb's list holds some); each is reduced to its
host by :func:`normalize_host`: lower case, scheme, user info, port, path, query and trailing dots removed, a
leading ``*.``/``.`` and ``www.`` removed, Unicode labels IDNA-encoded (``例子.中国`` -> ``xn--fsqu00a.xn--fiqs8s``).
An entry that is not a valid host name or IP address, or that has a single label (a bare TLD such as v2fly's
``porn`` and ``adult``), is skipped and counted in :attr:`DomainBlocklists.skipped`: a bare TLD is never matched.

**Allowlist** (optional, same file format): entries removed from every list (a legitimate site a list names
wholesale). ``example.com`` removes exactly that entry; ``.example.com`` (or ``*.example.com``) removes that entry
and every entry below it (``.gov.cn`` removes ``lnfcjcy.gov.cn``).

**Matching**: the URL's host (:func:`url_host`, robust to a missing scheme, user info, ports, IPv6 brackets,
trailing dots, upper case, full-width dots and IDN) is looked up, then each parent domain down to two labels:
``a.b.example.com`` -> ``b.example.com`` -> ``example.com``, never ``com``. An IP address is looked up as it is.
The most specific matching domain wins; between lists at the same domain, the first list. A missing, empty or
unparsable URL is never blocked.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus_pipeline.recipe import RecipeError

__all__ = [
    "REASON",
    "DomainBlocklists",
    "blocked_batch",
    "blocked_by",
    "candidate_domains",
    "load_blocklists",
    "normalize_host",
    "read_domain_list",
    "url_host",
]

REASON = "blocked_domain"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_PORT = re.compile(r":\d*$")
_AUTHORITY_END = re.compile(r"[/?#\\]")
_OTHER_SCHEME = re.compile(r"^(?:mailto|javascript|tel|sms|data|about|file|news|urn|magnet|blob):", re.IGNORECASE)


def _ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _idna(host: str) -> str | None:
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(label.encode("idna").decode("ascii"))
        except UnicodeError:
            return None
    return ".".join(labels)


def url_host(url: str | None) -> str | None:
    """The host of a URL or bare host name, normalized (lower case, ASCII/IDNA, no port or trailing dot), or None.

    ``HTTP://User:pw@WWW.Example.COM.:8080/a?b`` -> ``www.example.com``; ``example.com/path`` -> ``example.com``;
    ``[2001:db8::1]:80`` -> ``2001:db8::1``; ``例子。中国`` -> ``xn--fsqu00a.xn--fiqs8s``; ``mailto:x`` -> None.
    """
    if not url:
        return None
    text = url.strip().translate(_DOTS)
    has_scheme = bool(_SCHEME.match(text))
    if has_scheme:
        text = text[text.index("://") + 3 :]
    elif text.startswith("//"):
        text = text[2:]
    if not has_scheme and _OTHER_SCHEME.match(text):
        return None  # mailto:, javascript:, tel: ... name no web host
    authority = _AUTHORITY_END.split(text, maxsplit=1)[0]
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        end = authority.find("]")
        return _ip(authority[1:end]) if end > 0 else None
    if authority.count(":") > 1:
        return _ip(authority)
    host = _PORT.sub("", authority).strip().rstrip(".").lower()
    if not host or host.startswith("."):
        return None
    ip = _ip(host)
    if ip:
        return ip
    host = _idna(host) if not host.isascii() else host
    if not host or not all(_LABEL.match(label) for label in host.split(".")):
        return None
    return host


def normalize_host(entry: str) -> str | None:
    """A list entry reduced to the host it names (see the module docstring), or None when it names none."""
    entry = entry.strip()
    if not entry:
        return None
    if entry.startswith("*."):
        entry = entry[2:]
    elif entry.startswith("."):
        entry = entry[1:]
    host = url_host(entry)
    if host is None:
        return None
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    if _ip(host) is None and "." not in host:
        return None  # a bare TLD is never matched
    return host


def candidate_domains(host: str) -> list[str]:
    """The host and its parent domains down to two labels (an IP address: itself; a single label: nothing)."""
    if _ip(host) is not None:
        return [host]
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def _entries(path: Path) -> Iterable[str]:
    if not path.is_file():
        raise RecipeError(f"domain list not found: {path}")
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line and not line.startswith(("#", "!")):
            yield line


def read_domain_list(path: str | Path) -> tuple[frozenset[str], tuple[str, ...]]:
    """``(hosts, skipped entries)`` of one list file."""
    hosts, skipped = set(), []
    for entry in _entries(Path(path)):
        host = normalize_host(entry)
        if host is None:
            skipped.append(entry)
        else:
            hosts.add(host)
    return frozenset(hosts), tuple(skipped)


@dataclass(frozen=True)
class DomainBlocklists:
    """Named host sets, in precedence order, after the allowlist was applied.

    ``removed_by_allowlist``: per list, the entries the allowlist took out; ``skipped``: per list, entries that
    name no host (or only a TLD)."""

    lists: tuple[tuple[str, frozenset[str]], ...]
    removed_by_allowlist: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    skipped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.lists)

    def sizes(self) -> dict[str, int]:
        return {name: len(hosts) for name, hosts in self.lists}

    def sha256(self) -> str:
        """A fingerprint of the lists as used (names, order, hosts after the allowlist)."""
        digest = hashlib.sha256()
        for name, hosts in self.lists:
            digest.update(name.encode() + b"\0" + "\n".join(sorted(hosts)).encode() + b"\0")
        return digest.hexdigest()


def _allow(hosts: frozenset[str], exact: frozenset[str], suffixes: tuple[str, ...]) -> tuple[frozenset, tuple]:
    removed = sorted(h for h in hosts if h in exact or any(h == s or h.endswith("." + s) for s in suffixes))
    return hosts.difference(removed), tuple(removed)


def load_blocklists(
    paths: Mapping[str, str | Path] | Sequence[tuple[str, str | Path]], allowlist: str | Path | None = None
) -> DomainBlocklists:
    """Read named list files (``{name: path}`` in precedence order) and apply an optional allowlist file."""
    items = list(paths.items()) if isinstance(paths, Mapping) else list(paths)
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise RecipeError(f"domain list names must be unique: {', '.join(names)}")
    exact: set[str] = set()
    suffixes: list[str] = []
    if allowlist is not None:
        for entry in _entries(Path(allowlist)):
            wildcard = entry.startswith(("*.", "."))
            host = normalize_host(entry)
            if host is None:
                raise RecipeError(f"allowlist {allowlist}: not a host name: {entry!r}")
            (suffixes.append(host) if wildcard else exact.add(host))
    lists, removed, skipped = [], {}, {}
    for name, path in items:
        hosts, bad = read_domain_list(path)
        hosts, taken = _allow(hosts, frozenset(exact), tuple(suffixes))
        lists.append((name, hosts))
        removed[name], skipped[name] = taken, bad
    return DomainBlocklists(tuple(lists), removed, skipped)


def blocked_by(url: str | None, lists: DomainBlocklists) -> tuple[str, str] | None:
    """``(list_name, matched_domain)`` when the URL's host or a parent domain is listed, else None."""
    host = url_host(url)
    return None if host is None else _lookup(host, lists)


def blocked_batch(urls: Iterable[str | None], lists: DomainBlocklists) -> list[tuple[str, str] | None]:
    """:func:`blocked_by` over many URLs (hosts are parsed once each)."""
    cache: dict[str | None, tuple[str, str] | None] = {}
    out = []
    for url in urls:
        host = url_host(url)
        if host not in cache:
            cache[host] = None if host is None else _lookup(host, lists)
        out.append(cache[host])
    return out


def _lookup(host: str, lists: DomainBlocklists) -> tuple[str, str] | None:
    for domain in candidate_domains(host):
        for name, hosts in lists.lists:
            if domain in hosts:
                return name, domain
    return None
