from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from corpus_pipeline.recipe import RecipeError
from corpus_pipeline.rules.domains import (
    REASON,
    DomainBlocklists,
    blocked_batch,
    blocked_by,
    candidate_domains,
    load_blocklists,
    normalize_host,
    url_host,
)
from tests.conftest import REPO_ROOT

BLOCKLISTS = REPO_ROOT / "rules" / "blocklists"
SHIPPED = {
    "ut1_gambling": BLOCKLISTS / "ut1_gambling_domains.txt",
    "v2fly_porn": BLOCKLISTS / "v2fly_porn_domains.txt",
    "houbb_spam": BLOCKLISTS / "houbb_spam_urls.txt",
}


@pytest.mark.parametrize(
    "url, host",
    [
        ("http://example.com/a", "example.com"),
        ("HTTPS://WWW.Example.COM/Path?Q=1#F", "www.example.com"),
        ("https://user:pw@news.example.com:8443/x", "news.example.com"),
        ("user@example.com/x", "example.com"),
        ("example.com", "example.com"),
        ("example.com/path/page.html", "example.com"),
        ("example.com:81", "example.com"),
        ("//cdn.example.com/a.js", "cdn.example.com"),
        ("http://a.b.example.com./", "a.b.example.com"),
        ("  http://example.com  ", "example.com"),
        ("http://192.168.1.20:8080/x", "192.168.1.20"),
        ("http://[2001:db8::1]:80/x", "2001:db8::1"),
        ("[2001:DB8::1]", "2001:db8::1"),
        ("http://例子.中国/", "xn--fsqu00a.xn--fiqs8s"),
        ("http://例子。中国/", "xn--fsqu00a.xn--fiqs8s"),
        ("http://bücher.de", "xn--bcher-kva.de"),
        ("http://xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("http://x.com\\@evil.com", "x.com"),
        ("http://under_score.example.com", "under_score.example.com"),
        ("localhost", "localhost"),
    ],
)
def test_url_host(url, host):
    assert url_host(url) == host


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "http://",
        "mailto:someone@example.com",
        "javascript:void(0)",
        "tel:10086",
        "file:///etc/passwd",
        "http://-bad-.com/",
        "http://exa mple.com/",
        "http://a..b.com/",
        "http://.example.com",
        "http://[::1",
        "data:text/html,hi",
    ],
)
def test_url_host_none(url):
    assert url_host(url) is None


def test_candidate_domains_walk_parents_but_never_the_tld():
    assert candidate_domains("a.b.example.com") == ["a.b.example.com", "b.example.com", "example.com"]
    assert candidate_domains("example.com") == ["example.com"]
    assert candidate_domains("com") == []
    assert candidate_domains("192.168.1.1") == ["192.168.1.1"]
    assert candidate_domains("2001:db8::1") == ["2001:db8::1"]


@pytest.mark.parametrize(
    "entry, host",
    [
        ("example.com", "example.com"),
        ("EXAMPLE.com", "example.com"),
        ("*.example.com", "example.com"),
        (".example.com", "example.com"),
        ("www.example.com", "example.com"),
        ("http://www.game163.in", "game163.in"),
        ("goal98.netsh.com/bbs/281810", "goal98.netsh.com"),
        ("haoma.qq.com.qqhaoma2.cn:81", "haoma.qq.com.qqhaoma2.cn"),
        ("www.com", "www.com"),  # a two-label host keeps its www
        ("159.153.253.16", "159.153.253.16"),
        ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
    ],
)
def test_normalize_host(entry, host):
    assert normalize_host(entry) == host


@pytest.mark.parametrize("entry", ["porn", "adult", "38zu-cn", "", "   ", "www-x.com-", "http://"])
def test_normalize_host_rejects(entry):
    assert normalize_host(entry) is None


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def lists(tmp_path) -> DomainBlocklists:
    gambling = _write(
        tmp_path / "gambling.txt",
        "# comment",
        "! adblock comment",
        "",
        "casino.example",
        "*.bet.example  # trailing comment",
        "159.153.253.16",
        "lottery.gov.cn",
        "com",
    )
    porn = _write(tmp_path / "porn.txt", "xxx.example", "casino.example", "www.tube.example", "porn")
    spam = _write(tmp_path / "spam.txt", "http://www.spam.example/path", "spam.example:81", "sub.free.example")
    allow = _write(tmp_path / "allow.txt", "# legit", ".gov.cn", "www.tube.example")
    return load_blocklists({"gambling": gambling, "porn": porn, "spam": spam}, allow)


def test_load_blocklists(lists):
    assert lists.names == ("gambling", "porn", "spam")
    assert dict(lists.lists)["gambling"] == frozenset({"casino.example", "bet.example", "159.153.253.16"})
    assert dict(lists.lists)["porn"] == frozenset({"xxx.example", "casino.example"})
    assert dict(lists.lists)["spam"] == frozenset({"spam.example", "sub.free.example"})
    assert lists.sizes() == {"gambling": 3, "porn": 2, "spam": 2}
    assert lists.skipped == {"gambling": ("com",), "porn": ("porn",), "spam": ()}
    assert lists.removed_by_allowlist == {"gambling": ("lottery.gov.cn",), "porn": ("tube.example",), "spam": ()}
    assert pickle.loads(pickle.dumps(lists)) == lists


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://casino.example/", ("gambling", "casino.example")),  # first list wins at the same domain
        ("https://WWW.Casino.Example:443/slots", ("gambling", "casino.example")),
        ("http://a.b.bet.example/x", ("gambling", "bet.example")),
        ("bet.example", ("gambling", "bet.example")),
        ("http://159.153.253.16/x", ("gambling", "159.153.253.16")),
        ("http://m.xxx.example/", ("porn", "xxx.example")),
        ("http://spam.example/other", ("spam", "spam.example")),
        ("http://a.sub.free.example/", ("spam", "sub.free.example")),
        ("http://free.example/", None),  # a listed subdomain does not block its parent
        ("http://othersub.free.example/", None),
        ("http://notcasino.example/", None),  # a suffix that is not a label boundary
        ("http://casino.example.com/", None),
        ("http://lottery.gov.cn/", None),  # allowlisted
        ("http://www.tube.example/", None),
        ("http://site.porn/", None),  # a bare TLD entry is never matched
        ("http://159.153.253.17/", None),
        (None, None),
        ("", None),
        ("not a url", None),
    ],
)
def test_blocked_by(lists, url, expected):
    assert blocked_by(url, lists) == expected


def test_blocked_batch_equals_blocked_by(lists):
    urls = ["http://casino.example/", None, "http://x.com/", "http://casino.example/2", "http://m.xxx.example"]
    assert blocked_batch(urls, lists) == [blocked_by(u, lists) for u in urls]
    assert REASON == "blocked_domain"


def test_missing_files_and_bad_allowlist(tmp_path):
    with pytest.raises(RecipeError, match="domain list not found"):
        load_blocklists({"x": tmp_path / "missing.txt"})
    good = _write(tmp_path / "good.txt", "a.example")
    with pytest.raises(RecipeError, match="unique"):
        load_blocklists([("x", good), ("x", good)])
    bad = _write(tmp_path / "allow.txt", "not a host!")
    with pytest.raises(RecipeError, match="allowlist"):
        load_blocklists({"x": good}, bad)


def test_shipped_lists_have_licence_headers_and_load():
    licences = {"ut1_gambling": "CC BY-SA 4.0", "v2fly_porn": "MIT", "houbb_spam": "Apache-2.0"}
    for name, path in SHIPPED.items():
        head = path.read_text(encoding="utf-8").splitlines()[:5]
        assert any(line.startswith("# Source: http") for line in head), name
        assert any(line.startswith("# Licence: " + licences[name]) for line in head), name
    assert re.search(r"^# Source: ", (BLOCKLISTS / "allowlist.txt").read_text(encoding="utf-8"), re.MULTILINE)
    lists = load_blocklists(SHIPPED, BLOCKLISTS / "allowlist.txt")
    sizes = lists.sizes()
    assert sizes["ut1_gambling"] > 30_000 and sizes["v2fly_porn"] > 6_000 and sizes["houbb_spam"] > 13_000
    assert lists.skipped["v2fly_porn"] == ("adult", "porn")
    assert all(h.endswith((".gov.cn", ".edu.cn")) for h in lists.removed_by_allowlist["houbb_spam"])
    # real entries block, their subdomains too
    assert blocked_by("http://www.0-casino.info/", lists) == ("ut1_gambling", "0-casino.info")
    assert blocked_by("https://m.00ad.3322.org/x", lists) == ("houbb_spam", "00ad.3322.org")
    # legitimate sites and the hosting parents of listed subdomains are not blocked
    for url in (
        "https://news.sina.com.cn/c/2024/x.shtml",
        "https://www.163.com/",
        "https://blog.163.com/",
        "https://news.qq.com/a",
        "http://www.people.com.cn/",
        "http://www.xinhuanet.com/",
        "https://www.gov.cn/",
        "https://www.baidu.com/s?wd=x",
        "https://www.zhihu.com/question/1",
        "https://3322.org/",
        "https://blogspot.com/",
        "https://github.io/",
        "https://wordpress.com/",
        "https://tangshan.gov.cn/",
    ):
        assert blocked_by(url, lists) is None, url


def test_shared_page_hosts_not_blocked(shared_data):
    """No GNE or extraction-gold page, nor any host they link to, is on the shipped lists."""
    lists = load_blocklists(SHIPPED, BLOCKLISTS / "allowlist.txt")
    link = re.compile(rb"""(?:href|src|content)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.IGNORECASE)
    hosts = set()
    for folder in ("gne", "extraction_gold"):
        for path in (shared_data / "web_html" / folder).glob("*.html"):
            urls = link.findall(path.read_bytes())
            hosts.update(filter(None, (url_host(u.decode("utf-8", "replace")) for u in urls)))
    assert len(hosts) > 1000
    assert {h: blocked_by(h, lists) for h in hosts if blocked_by(h, lists)} == {}
