"""The diff of a pending revision as the review queue shows it: changed words marked, lists as text."""

from __future__ import annotations

from schule.web.review_view import Segment, diff_rows, shown_value, word_diff


def marked(segments: list[Segment]) -> str:
    return "".join(f"[{s.text}]" if s.changed else s.text for s in segments)


def test_only_the_changed_words_are_marked_with_the_spaces_around_them_left_out() -> None:
    old, new = word_diff("Parken in Olpe per App.", "Parken in ganz Olpe per Web-App.")
    assert marked(old) == "Parken in Olpe per [App]."
    assert marked(new) == "Parken in [ganz] Olpe per [Web-App]."


def test_neighbouring_changed_words_are_one_mark() -> None:
    old, new = word_diff("Gemeinsame technologische Grundlage", "Ein neuer Satz")
    assert (marked(old), marked(new)) == ("[Gemeinsame technologische Grundlage]", "[Ein neuer Satz]")


def test_an_empty_side_has_no_segments_and_a_new_value_is_marked_whole() -> None:
    assert word_diff("", "2025-03") == ([], [Segment("2025-03", True)])


def test_list_values_are_shown_as_comma_separated_text_with_german_field_labels() -> None:
    assert shown_value('["olpe", "soest"]') == "olpe, soest"
    assert shown_value("[kein JSON") == "[kein JSON"
    row = diff_rows([{"field": "communes", "old": '["olpe"]', "new": '["olpe", "soest"]'}])[0]
    assert row.label == "Kommunen"
    assert (marked(row.old), marked(row.new)) == ("olpe", "olpe[, soest]")
