"""A labelled real-web evaluation set built by code from ``../shared/data`` (issue 19, item 4).

Real articles, posts, reviews and chat from many sources are the good documents; the junk documents are real
spam (tg chat spam, trec06c spam e-mails) and real carriers spliced with real junk material (gambling brands and
words mined from spam messages, porn and ad word lists, blocklisted domains), in the patterns real Chinese crawl
junk shows: casino keyword titles and spliced brand names, organisation names replaced by a gambling brand, spun
copies with inserted keywords, keyword-stuffed headline lists, link farms, porn lures, lottery ads, contact blocks
and spec fragments, often disguised with look-alike characters. Hand-written material is confined to
:mod:`corpus_eval.webeval.eval_lists` and recorded as the sources ``eval_brands`` / ``eval_phrases``.

Build::

    python -m corpus_eval.webeval --shared ../shared/data --out DIR --seed 0 [--n 4400] [--half b]

writes ``DIR/documents.jsonl.gz``, ``DIR/labels.jsonl`` and ``DIR/manifest.json``. Feed the documents to the
pipeline as ``web=DIR/documents.jsonl.gz``: each record is ``{id, source: "web", title, url, text, truth}``, and
the JSONL reader puts the unknown field ``truth`` into ``meta`` (``meta.truth``), so nothing in it reaches the
rules. ``truth`` (also one line of ``labels.jsonl`` with the ``id``) holds:

* ``label``: ``good`` | ``junk``; ``kind``: ``good:news`` ... ``junk:chat_spam`` (:data:`KINDS`);
* ``carrier``: the source whose real text the document carries (:data:`~.sources.CARRIERS`); ``carrier_ids``: the
  ids of the carrier items (shared-data ids, file names, ``book:chapter:part``);
* ``injected_from``: the sources of the injected junk material (:data:`~.sources.INJECTED`; empty for good
  documents and for pure keyword stuffing); ``sources`` = carrier + injected_from: leave a source out of training
  by dropping every document whose ``sources`` holds it;
* ``half``: ``a`` | ``b``; ``intensity``: ``light`` | ``medium`` | ``heavy`` (| ``short`` for one- or
  two-message chat spam; null for good documents and real spam e-mails); ``hard_negative``: a good document that
  mentions lotteries/gambling (kind ``good:news_about_gambling``) or Macau, prize draws, cards...;
* ``disguise``: look-alike methods used (:mod:`.disguise`); ``injected``: the injected surface forms (up to 40);
  ``n_chars``; and per-kind details (``title_brand``, ``spliced``, ``replaced``, ``spun_swaps``, ``variant`` ...).

Halves and leave-one-source-out. Every item of every source (a document, a message, an e-mail, a novel chapter, a
word, a domain) belongs to exactly one half, ``sources.half(key)``, by SHA-256 of its content key (so duplicates
and a message present in both tg files share a half). A build draws carriers, messages and words from one half
only, and mines vocabulary only from that half's messages. So a trainer may build TRAINING documents from half
"a" and the evaluator TEST documents from half "b" of the same source, with no carrier, message, brand or domain
in common; and both may restrict sources::

    from corpus_eval.webeval import build_documents
    train = build_documents("../shared/data", half="a", carriers=["clue", "people_daily", "trec06c_ham"],
                            injected=["tg_spam_train", "houbb_porn", "ut1_gambling_domains"], n=3000, seed=1)
    test = build_documents("../shared/data", half="b", carriers=["gne", "extraction_gold", "zhwiki"],
                           injected=["trec06c_spam", "eval_brands", "eval_phrases"], n=1000, seed=0)

A document is built only when its carrier is in ``carriers`` and all of ``injected_from`` in ``injected``; kinds
that need an excluded source are skipped. Same arguments and data -> the same records, byte for byte.

The default set (``--out``): about 4,400 documents from half "b" of every source, about half good and half junk,
every kind a few hundred documents where the source has that many (kinds and shares: :data:`PLAN`); each carrier
item is used at most once, and carriers are reserved for good or junk use by a stable hash (:func:`~.build.role`).

Known limits (measured on the default set): ``reviews`` and ``tg_ham`` carry only good documents (the issue defines
reviews and chat as good) and ``thucnews`` only junk, so report figures per carrier; 41% of good and 55% of junk
documents have a title (several good sources have none); ``good:short`` documents (< 150 characters) are dropped
by the pipeline's ``too_short`` rule by design, report them apart; GNE main texts come from the structural judge
in :mod:`corpus_eval.extraction_gold` and the pipeline's extractor, so a change there can change those documents (the
manifest holds the input files' sha256, not the code's).
"""

from __future__ import annotations

from .build import DEFAULT_N, GOOD_KINDS, JUNK_KINDS, KINDS, PLAN, build_documents, summarize, write_eval_set
from .sources import ALL_SOURCES, CARRIERS, INJECTED, Item, Shared, half, load_items
from .vocab import Vocabulary

__all__ = [
    "ALL_SOURCES",
    "CARRIERS",
    "DEFAULT_N",
    "GOOD_KINDS",
    "INJECTED",
    "JUNK_KINDS",
    "KINDS",
    "PLAN",
    "Item",
    "Shared",
    "Vocabulary",
    "build_documents",
    "half",
    "load_items",
    "summarize",
    "write_eval_set",
]
