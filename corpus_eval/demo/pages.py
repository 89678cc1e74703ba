"""Wrapping demo text into realistic web pages.

Every renderer returns a :class:`Rendered` page: the HTML, its URL and ``nav_lines``, the number of
boilerplate text blocks it emitted outside the article text (each menu item, the breadcrumb, the
date/source line, the share bar, each related link and its heading, each sidebar item and its
heading, each footer row, the pager...).  Those are the lines a cleaner must drop.

Conventions the generator and its tests rely on:

* the article body is the only place where ``<p>`` is used, one ``<p>`` per body line, and the
  article title is the only ``<h1>``;
* page furniture never contains 。！？ (sidebar adverts aside, which are only put on article pages);
* text is HTML-escaped; scripts and styles may hold Chinese strings that are not visible text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from html import escape

from . import assets


@dataclass
class Rendered:
    html: str
    url: str
    nav_lines: int


def esc(text: str) -> str:
    return escape(text, quote=False)


def attr(text: str) -> str:
    return escape(text, quote=True)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.nav_lines = 0

    def add(self, html: str) -> None:
        self.parts.append(html)

    def nav(self, html: str, lines: int = 1) -> None:
        """Add page furniture carrying ``lines`` visible text blocks."""
        self.parts.append(html)
        self.nav_lines += lines

    def html(self) -> str:
        return "\n".join(self.parts) + "\n"


def _boiler() -> dict:
    return assets.data("boilerplate.json")


def random_date(rng: random.Random, year: int = 1998) -> datetime:
    if year != 1998:
        return datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(6, 22), rng.randint(0, 59))
    return datetime(1998, 1, rng.randint(1, 31), rng.randint(6, 22), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)))


def _article_url(rng: random.Random, site: dict, slug: str, when: datetime) -> str:
    num = rng.randint(100_000, 9_999_999)
    if site.get("style") == "html5":
        return f"https://{site['domain']}/{slug}/{when:%Y-%m-%d}/{num}.html"
    if site.get("style") == "classic":
        return f"http://{site['domain']}/{slug}/{when:%Y%m}/t{when:%Y%m%d}_{num}.htm"
    return f"https://{site['domain']}/{slug}/{when:%Y%m%d}/{num}.shtml"


def _link(rng: random.Random, site: dict, slug: str) -> str:
    return f"/{slug}/{rng.randint(100_000, 9_999_999)}.html"


def _head(
    b: _Builder,
    rng: random.Random,
    title_tag: str,
    *,
    description: str = "",
    lang: str = "zh-CN",
    script_fill: dict | None = None,
    with_assets: bool = True,
) -> None:
    boiler = _boiler()
    b.add("<!DOCTYPE html>")
    b.add(f'<html lang="{lang}">')
    b.add("<head>")
    b.add('<meta charset="utf-8">')
    b.add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    b.add(f"<title>{esc(title_tag)}</title>")
    if description:
        b.add(f'<meta name="description" content="{attr(description)}">')
    if with_assets and rng.random() < 0.7:
        b.add(f"<style>{rng.choice(boiler['styles'])}</style>")
    if with_assets and rng.random() < 0.6:
        script = rng.choice(boiler["scripts"])
        fill = script_fill or {}
        script = (
            script.replace("{column}", fill.get("column", "news"))
            .replace("{num}", str(rng.randint(1000, 99999)))
            .replace("{title}", fill.get("title", "").replace("'", "\\'"))
        )
        b.add(f"<script>{script}</script>")
    b.add("</head>")


def _menu_ul(b: _Builder, items: list[str], cls: str, rng: random.Random) -> None:
    lis = "".join(f'<li><a href="/{i}/">{esc(t)}</a></li>' for i, t in enumerate(items))
    b.nav(f'<ul class="{cls}">{lis}</ul>', len(items))


def _footer(b: _Builder, site: dict, style: str) -> None:
    rows = site["footer"]
    if style == "html5":
        inner = "".join(f"<div>{esc(r)}</div>" for r in rows)
        b.nav(f'<footer class="site-footer">{inner}</footer>', len(rows))
    elif style == "classic":
        inner = "<br>".join(esc(r) for r in rows)
        b.nav(f'<div class="bottom">{inner}</div>', len(rows))
    else:
        inner = "".join(f'<div class="row">{esc(r)}</div>' for r in rows)
        b.nav(f'<div class="footer" id="footer">{inner}</div>', len(rows))


def _nav_bar(b: _Builder, site: dict, style: str, rng: random.Random) -> None:
    items = list(site["nav"])
    if style == "classic":
        links = " | ".join(f'<a href="/{i}/">{esc(t)}</a>' for i, t in enumerate(items))
        b.nav(f'<div class="nav">{links}</div>')
    elif style == "html5":
        b.add('<header class="site-header">')
        b.nav(f'<div class="logo"><a href="/">{esc(site["name"])}</a></div>')
        b.add("<nav>")
        _menu_ul(b, items, "menu", rng)
        b.add("</nav>")
        b.add("</header>")
    else:
        b.add('<div class="top-bar"><div class="top-nav">')
        _menu_ul(b, items, "nav", rng)
        b.add("</div></div>")


def _breadcrumb(b: _Builder, rng: random.Random, column: str, slug: str, style: str, last: str | None = "正文") -> None:
    boiler = _boiler()
    prefix = rng.choice(boiler["breadcrumb_prefix"])
    sep = esc(rng.choice(boiler["breadcrumb_sep"]))
    crumbs = ['<a href="/">首页</a>', f'<a href="/{slug}/">{esc(column)}</a>'] + ([esc(last)] if last else [])
    tag = "nav" if style == "html5" else "div"
    cls = {"html5": "breadcrumb", "classic": "position"}.get(style, "crumbs")
    b.nav(f'<{tag} class="{cls}">{esc(prefix)}{sep.join(crumbs)}</{tag}>')


def article_page(
    rng: random.Random,
    site: dict,
    *,
    title: str,
    paragraphs: list[str],
    column: str,
    related: list[str],
    sidebar_ads: list[str],
) -> Rendered:
    """A portal article page: nav bar, breadcrumb, title, info line, body, share bar, related links,
    optional sidebar adverts and footer, in one of the three portal styles."""
    boiler = _boiler()
    style = site["style"]
    slug = site["columns"][column]
    when = random_date(rng)
    url = _article_url(rng, site, slug, when)
    title_tag = site["title_format"].format(title=title, column=column, site=site["name"])
    b = _Builder()
    description = paragraphs[0][:60] if paragraphs else ""
    _head(b, rng, title_tag, description=description, script_fill={"column": slug, "title": title})
    b.add('<body class="article-page">')
    _nav_bar(b, site, style, rng)
    b.add('<div id="main" class="wrap">')
    _breadcrumb(b, rng, column, slug, style)
    b.add("<article>" if style == "html5" else '<div class="article">')
    b.add(f"<h1>{esc(title)}</h1>")
    info = [f"{when:%Y-%m-%d %H:%M}", rng.choice(boiler["info_source"])]
    if rng.random() < 0.5:
        info.append(rng.choice(boiler["info_editor"]))
    if rng.random() < 0.3:
        info.append(rng.choice(boiler["info_extra"]))
    b.nav('<div class="info">' + " ".join(f"<span>{esc(x)}</span>" for x in info) + "</div>")
    body_cls = {"html5": '<section class="article-body">', "classic": '<div class="TRS_Editor">'}.get(
        style, '<div class="content" id="article-content">'
    )
    b.add(body_cls)
    indent = site.get("indent", "")
    for p in paragraphs:
        b.add(f"<p>{indent}{esc(p)}</p>")
    b.add("</section>" if style == "html5" else "</div>")
    share = rng.sample(boiler["share_targets"], rng.randint(3, 6))
    share_html = "".join(f'<a href="javascript:;" class="s{i}">{esc(s)}</a>' for i, s in enumerate(share))
    b.nav(f'<div class="share-bar">{esc(rng.choice(boiler["share_label"]))}{share_html}</div>')
    b.add("</article>" if style == "html5" else "</div>")
    if related:
        tag = "aside" if style == "html5" else "div"
        b.add(f'<{tag} class="related">')
        b.nav(f"<h3>{esc(rng.choice(boiler['related_heading']))}</h3>")
        lis = "".join(f'<li><a href="{attr(_link(rng, site, slug))}">{esc(t)}</a></li>' for t in related)
        b.nav(f"<ul>{lis}</ul>", len(related))
        b.add(f"</{tag}>")
    if sidebar_ads:
        b.add('<div class="sidebar"><div class="ad-box">')
        b.nav(f"<h3>{esc(rng.choice(boiler['sidebar_heading']))}</h3>")
        lis = "".join(
            f'<li><a href="{attr("https://" + assets.url(rng))}" rel="nofollow">{esc(t)}</a></li>' for t in sidebar_ads
        )
        b.nav(f"<ul>{lis}</ul>", len(sidebar_ads))
        b.add("</div></div>")
    b.add("</div>")
    _footer(b, site, style)
    b.add("</body>")
    b.add("</html>")
    return Rendered(b.html(), url, b.nav_lines)


def lite_page(rng: random.Random, site: dict, *, title: str, paragraphs: list[str]) -> Rendered:
    """A bare mobile page (used for short pages): a small header, the text and a one-line footer."""
    when = random_date(rng)
    url = f"https://{site['domain']}/a/{when:%Y%m%d}{rng.randint(1000, 99999)}.html"
    b = _Builder()
    _head(b, rng, f"{title}-{site['name']}", with_assets=False)
    b.add("<body>")
    links = " ".join(f'<a href="/{i}">{esc(t)}</a>' for i, t in enumerate(site["nav"]))
    b.nav(f'<div class="hd">{links}</div>')
    b.add(f"<h1>{esc(title)}</h1>")
    b.add('<div class="bd">')
    for p in paragraphs:
        b.add(f"<p>{esc(p)}</p>")
    b.add("</div>")
    b.nav(f'<div class="ft">{esc(site["footer"])}</div>')
    b.add("</body>")
    b.add("</html>")
    return Rendered(b.html(), url, b.nav_lines)


def index_page(rng: random.Random, site: dict, *, column: str, headlines: list[str]) -> Rendered:
    """A column index page: furniture and a list of headlines, no article text at all.

    Headlines are ``<h3>`` items of a list whose rows are made clickable by script (``data-href``),
    so they are not link text and survive a link-density filter."""
    boiler = _boiler()
    style = site["style"]
    slug = site["columns"][column]
    heading = f"{column}{rng.choice(boiler['index_heading_suffix'])}"
    page_no = rng.randint(1, 5)
    url = f"https://{site['domain']}/{slug}/" + ("index.html" if page_no == 1 else f"index_{page_no}.html")
    b = _Builder()
    _head(b, rng, f"{heading}_{site['name']}", script_fill={"column": slug, "title": heading})
    b.add('<body class="list-page">')
    _nav_bar(b, site, style, rng)
    b.add('<div id="main" class="wrap">')
    _breadcrumb(b, rng, column, slug, style, last=None)
    b.nav(f'<h2 class="column-title">{esc(heading)}</h2>')
    b.add('<ul class="news-list">')
    for t in headlines:
        b.add(f'<li data-href="{attr(_link(rng, site, slug))}"><h3>{esc(t)}</h3></li>')
    b.add("</ul>")
    pager = " ".join(f'<a href="/{slug}/index_{i}.html">{esc(x)}</a>' for i, x in enumerate(boiler["pager"]))
    b.nav(f'<div class="pages">{pager}</div>')
    b.add("</div>")
    _footer(b, site, style)
    b.add("</body>")
    b.add("</html>")
    return Rendered(b.html(), url, b.nav_lines)


def english_page(rng: random.Random, site: dict, *, title: str, blocks: list[tuple[str, str]]) -> Rendered:
    """A page of an English-language site. ``blocks`` are ``(kind, text)`` with kind ``p`` (a
    paragraph), ``row`` (a table row, cells separated by ``|``) or ``li`` (a list item)."""
    slug = rng.choice(("news", "tech", "markets", "reviews"))
    when = random_date(rng, year=rng.randint(2019, 2024))
    url = f"https://{site['domain']}/{slug}/{when:%Y/%m/%d}/{rng.randint(10000, 999999)}"
    b = _Builder()
    _head(b, rng, f"{title} | {site['name']}", lang="en", script_fill={"column": slug, "title": title})
    b.add("<body>")
    b.add('<header class="masthead">')
    _menu_ul(b, list(site["nav"]), "menu", rng)
    b.nav(f'<div class="lang-switch"><a href="/zh/">{esc(site["chinese_link"])}</a></div>')
    b.add("</header>")
    b.add('<main class="story">')
    b.add(f"<h1>{esc(title)}</h1>")
    b.nav(f'<div class="byline">By Staff Reporter | Updated {when:%Y-%m-%d %H:%M}</div>')
    i = 0
    while i < len(blocks):
        kind, text = blocks[i]
        if kind == "row":
            rows = []
            while i < len(blocks) and blocks[i][0] == "row":
                cells = blocks[i][1].split("|")
                rows.append("<tr>" + "".join(f"<td>{esc(c.strip())}</td>" for c in cells) + "</tr>")
                i += 1
            b.add('<table class="specs">' + "".join(rows) + "</table>")
            continue
        if kind == "li":
            items = []
            while i < len(blocks) and blocks[i][0] == "li":
                items.append(f"<li>{esc(blocks[i][1])}</li>")
                i += 1
            b.add('<ul class="changes">' + "".join(items) + "</ul>")
            continue
        b.add(f"<p>{esc(text)}</p>")
        i += 1
    b.add("</main>")
    rows = site["footer"]
    b.nav("<footer>" + "".join(f"<div>{esc(r)}</div>" for r in rows) + "</footer>", len(rows))
    b.add("</body>")
    b.add("</html>")
    return Rendered(b.html(), url, b.nav_lines)


def spam_page(rng: random.Random, site: dict, *, title: str, paragraphs: list[str], contact: str) -> Rendered:
    """An advertisement site's page: menu, ad title, ad text, a contact box and a footer."""
    url = f"http://{site['domain']}/{rng.choice(('show', 'news', 'info', 'html'))}/{rng.randint(100, 99999)}.html"
    b = _Builder()
    _head(b, rng, f"{title}-{site['name']}", script_fill={"column": "ad", "title": title})
    b.add("<body>")
    links = "".join(f'<a href="/{i}.html">{esc(t)}</a>' for i, t in enumerate(site["nav"]))
    b.nav(f'<div class="menu">{links}</div>')
    b.add('<div class="main">')
    b.add(f"<h1>{esc(title)}</h1>")
    b.add('<div class="content">')
    for p in paragraphs:
        b.add(f"<p>{esc(p)}</p>")
    b.add("</div>")
    b.nav(f'<div class="contact">{esc(contact)}</div>')
    b.add("</div>")
    b.nav(
        '<div class="foot">' + "".join(f"<div>{esc(r)}</div>" for r in site["footer"]) + "</div>", len(site["footer"])
    )
    b.add("</body>")
    b.add("</html>")
    return Rendered(b.html(), url, b.nav_lines)
