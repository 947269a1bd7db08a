"""Normalising text for matching: folded names, email keys, phone keys, search text."""

import re
import unicodedata

_EXTRA_FOLDS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_SPACES = re.compile(r"\s+")


def fold(value: str | None) -> str:
    """Lower-case, accent-free, single-spaced: `Zoë  NÚÑEZ` -> `zoe nunez`."""
    if not value:
        return ""
    if value.isascii():
        return _SPACES.sub(" ", value.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_EXTRA_FOLDS)).strip()


def email_key(email: str) -> str:
    return email.strip().casefold()


def phone_key(phone: str) -> str:
    """Digits only, with a leading + kept: `+44 20 7946 0000` -> `+442079460000`."""
    digits = "".join(filter(str.isdigit, phone))
    return ("+" + digits) if phone.strip().startswith("+") else digits


def search_text(*parts: str | None) -> str:
    return fold(" ".join(part for part in parts if part))


def search_tokens(query: str) -> list[str]:
    """The words of a query, folded: what the search indexes hold."""
    return [token for token in re.split(r"[^\w]+", fold(query)) if token]
