"""User names as people mean them: `Kim` and `kim` name one person."""

import unicodedata

from sqlalchemy import func


def clean_username(name: str) -> str:
    """Trimmed, in one Unicode form (a name typed on two systems may come in two)."""
    return unicodedata.normalize("NFC", name.strip())


def username_is(column, name: str):
    """The condition that a username column names this user, whatever the case (ASCII letters
    on SQLite, whose lower() folds no others; every letter on PostgreSQL)."""
    return func.lower(column) == clean_username(name).lower()
