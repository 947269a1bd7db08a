"""User names as people mean them: `Kim` and `kim` name one person."""

import unicodedata

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# SQLite's own lower() folds ASCII letters only: each connection gets this one (core.db).
SQLITE_LOWER = "crm_lower"


def clean_username(name: str) -> str:
    """Trimmed, in one Unicode form (a name typed on two systems may come in two)."""
    return unicodedata.normalize("NFC", name.strip())


def lower_text(value):
    """Python's lower case of a text, as PostgreSQL's lower() gives it: every letter."""
    return value.lower() if isinstance(value, str) else value


class unicode_lower(FunctionElement):  # noqa: N801 -- an SQL function, named like one
    """lower() of every letter, on either backend."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element, compiler, **kw) -> str:
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"


def username_is(column, name: str):
    """The condition that a username column names this user, whatever the case."""
    return unicode_lower(column) == clean_username(name).lower()
