"""Cells a spreadsheet would run as formulas: neutralised in every CSV crm writes, restored on import."""

import re
from collections.abc import Iterable
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
# a phone number, or a list of them (` ::: `): no letter, so nothing a spreadsheet could call
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+(?: ::: \+?[\d\s().\-/]+)*$")
# a first character worth a closer look: a formula's, or the quote of a cell already neutralised
_RISKY = frozenset("=+-@\t\r'")
_RISKY_AS_READ = _RISKY - {"'"}


def escape_formula(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula; plain phone numbers stay as they are."""
    if value and (value.startswith(_FORMULA_START) or _ESCAPED.match(value)):
        if value[0] in "+-" and _PHONE_LIKE.match(value):
            return value
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so an exported file imports back unchanged."""
    return value[1:] if value.startswith("'") and _ESCAPED.match(value) else value


def escape_cells(cells: Iterable[Any], *, as_read: bool = False) -> list[Any]:
    """A CSV row safe to open in a spreadsheet: each text cell through escape_formula.

    `as_read`: the cells are an input file's, which an import unescapes once, so one already
    neutralised (`'=1`) stays as it is and imports back the same."""
    risky = _RISKY_AS_READ if as_read else _RISKY
    return [escape_formula(c) if c.__class__ is str and c[:1] in risky else c for c in cells]
