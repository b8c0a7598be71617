"""Stance from the reporting verb and from negation where it governs the claim."""

from __future__ import annotations

from kg.extract.stance import combine, main_clause_negated, negated_after, negated_before, verb_negated


def test_denial_verbs_deny_unless_negated() -> None:
    assert combine(True, False) == "denies"
    assert combine(True, True) == "affirms"  # denying that it did not happen
    assert combine(False, True) == "denies"
    text = "He did not rule out talks."
    assert verb_negated(text, text.index("rule"))
    assert not verb_negated("He ruled out talks.", 3)


def test_negation_before_the_cue_in_its_clause() -> None:
    text = "Iran hasn't initiated any communication"
    assert negated_before(text, 0, text.index("communication"))
    text = "no message has been sent"
    assert negated_before(text, 0, text.index("message"))


def test_negation_inside_what_was_said_is_not_a_denial() -> None:
    text = "we said that Iran does not want the war to spread"
    assert not negated_before(text, 0, text.index("said"))


def test_negation_after_a_noun_cue() -> None:
    text = "messages were never exchanged"
    assert negated_after(text, len("messages"), len(text))
    assert not negated_after("messages to the US did not stop", len("messages"), 30)


def test_words_that_look_negative_but_are_not() -> None:
    assert not main_clause_negated("these claims are nothing more than lies", 0, 39)
    assert not main_clause_negated("These discussions have never stopped", 0, 36)
    assert not main_clause_negated("they are not indifferent to the killing", 0, 39)
    assert main_clause_negated("it was not informed in advance", 0, 30)
