"""How one value is shown in the terminal table: never invisible, never wider than its cells."""

from __future__ import annotations

from rich.cells import cell_len

from dataprof.cli.profile_view import format_value


def test_an_empty_string_is_visible() -> None:
    assert format_value("") == "''"
    assert format_value(None) == ""


def test_wide_characters_are_cut_by_terminal_cells() -> None:
    text = "数" * 60
    shown = format_value(text, width=40)
    assert cell_len(shown) <= 40
    assert shown.endswith("…")
    assert shown.startswith("数" * 19)
    assert format_value("a" * 60, width=40) == "a" * 39 + "…"
    assert format_value("short", width=40) == "short"
