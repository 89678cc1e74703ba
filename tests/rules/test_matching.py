"""Leftmost-longest matching, including the case pyahocorasick's own iter_long gets wrong."""

from __future__ import annotations

import ahocorasick

from corpus_pipeline.rules.matching import leftmost_longest


def automaton(*words):
    machine = ahocorasick.Automaton()
    for word in words:
        machine.add_word(word, len(word))
    machine.make_automaton()
    return machine


def test_a_short_word_inside_a_failed_longer_candidate_at_the_end_is_found():
    assert leftmost_longest(automaton("accc", "c"), "dac") == [(2, 3)]


def test_leftmost_wins_then_longest():
    machine = automaton("ab", "abcd", "bcde", "e")
    assert leftmost_longest(machine, "abcde") == [(0, 4), (4, 5)]
    assert leftmost_longest(machine, "xbcdeab") == [(1, 5), (5, 7)]
    assert leftmost_longest(machine, "") == []


def test_ad_keyword_at_the_end_of_a_line_is_counted(recipe):
    from corpus_pipeline.rules.ads import AdRules

    rules = AdRules(("免费领取", "领取"), (), recipe.clean.ads)
    assert rules.line_hits(["立即免费领", "今天领取"]) == ([0, 1], [0, 0])
