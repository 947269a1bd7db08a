"""A CSV row as a contact: its mapped cells parsed and checked, and the columns they fill."""

import json
import re
from collections.abc import Iterator
from typing import Any

from crmtui.core.contacts import split_name
from crmtui.core.emails import normalize_email
from crmtui.core.errors import Invalid
from crmtui.core.text import email_key, fold, phone_key
from crmtui.core.timeparse import parse_when
from crmtui.io.formulas import unescape_formula
from crmtui.io.values import (
    parse_birthday,
    parse_consent,
    parse_flag,
    parse_lifecycle,
    split_list,
)

TEXT_FIELDS = (
    "job_title", "street", "city", "region", "postal_code", "country", "website", "notes", "source",
    "consent_source",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "display_name", "sort_key", "email", "phone", "job_title",
    "company_id", "birthday_year", "birthday_month", "birthday_day", "street", "city", "region",
    "postal_code", "country", "website", "notes", "source", "lifecycle_stage", "owner_id",
    "email_consent", "consent_at", "consent_source", "do_not_contact", "custom_fields",
    "search_text", "version", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
NAME_COLUMNS = ("first_name", "last_name", "display_name")
CONTACT_INDEX = {name: position for position, name in enumerate(CONTACT_COLUMNS)}
# Columns a parsed row's values go to as they are.
TEXT_INDEX = {
    name: CONTACT_INDEX[name] for name in ("first_name", "last_name", "display_name", *TEXT_FIELDS)
}
_NOT_DIGITS = {code: None for code in range(128) if not chr(code).isdigit()}
EMAIL_COLUMNS = ("contact_id", "email", "email_key", "is_primary", "created_at", "updated_at")
PHONE_COLUMNS = ("contact_id", "phone", "phone_key", "is_primary", "created_at", "updated_at")
TAG_COLUMNS = ("contact_id", "tag_id")
CHANGE_COLUMNS = ("entity", "entity_id", "action", "changes", "user_id", "batch_id", "at")
LIFECYCLE_COLUMNS = ("contact_id", "from_stage", "to_stage", "changed_at", "user_id")
_EMAIL_SPLIT = re.compile(r"\s*(?::::|[,;])\s*")
_COMMA_SPACE = re.compile(r",\s")  # phones split there, not at a comma inside a number
_HAS_DIGIT = re.compile(r"\d")
PLAIN_TARGETS = frozenset(
    ("company", "city", "job_title", "street", "region", "postal_code", "country", "website",
     "source", "owner", "consent_source")
)  # fmt: skip
_PHONE_SPLIT = re.compile(r"\s*:::\s*|\s*;\s*|,\s+")
NAME_FIELDS = ("name", "first_name", "middle_name", "last_name", "prefix", "suffix")
# The usual targets by kind: one dict lookup per cell instead of a chain of comparisons.
_PLAIN, _NAME, _EMAIL, _PHONE = "plain", "name", "email", "phone"
_KINDS = {
    **dict.fromkeys(PLAIN_TARGETS, _PLAIN), **dict.fromkeys(NAME_FIELDS, _NAME),
    "email": _EMAIL, "phone": _PHONE,
}  # fmt: skip

Pairs = list[tuple[str, str]]


class Record:
    """One parsed row waiting for its batch; `keys` lists its email keys first."""

    __slots__ = ("line", "raw", "values", "emails", "phones", "tags", "custom", "has_name", "keys")

    def __init__(self, line, raw, values, emails, phones, tags, custom, has_name) -> None:
        self.line, self.raw, self.values, self.emails = line, raw, values, emails
        self.phones, self.tags, self.custom, self.has_name = phones, tags, custom, has_name
        self.keys: list[tuple[str, str]] = []


def _clean_phone(value: str) -> str:
    phone = value if "  " not in value and value.isprintable() else " ".join(value.split())
    if not _HAS_DIGIT.search(phone):
        raise Invalid(f"invalid phone {value!r}: it has no digits")
    return phone


def _unique(values: list[str], key) -> list[str]:
    """The values in order, dropping later ones with the same key."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(key(value), value)
    return list(seen.values())


def parse_contact(pairs: Pairs) -> tuple[dict[str, Any], list[str], list[str], list[str], dict]:
    """Mapped cells -> (values, emails, phones, tags, custom fields); raises Invalid on bad data."""
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    emails: list[str] = []
    phones: list[str] = []
    tags: list[str] = []
    custom: dict[str, str] = {}
    for target, cell in pairs:
        value = cell.strip()
        if not value:
            continue
        if value[0] == "'":
            value = unescape_formula(value)
        kind = _KINDS.get(target)
        if kind is _PLAIN:
            if target not in values:
                values[target] = value
        elif kind is _NAME:
            if target not in names:
                names[target] = value
        elif kind is _EMAIL:
            if "," in value or ";" in value or ":::" in value:
                emails.extend(normalize_email(p) for p in _EMAIL_SPLIT.split(value) if p)
            else:
                emails.append(normalize_email(value))
        elif kind is _PHONE:
            if ";" in value or ":::" in value or "," in value and _COMMA_SPACE.search(value):
                phones.extend(_clean_phone(p) for p in _PHONE_SPLIT.split(value) if p.strip())
            else:
                phones.append(_clean_phone(value))
        elif target == "tags":
            tags.extend(t for t in split_list(value) if not t.startswith("* "))
        elif target.startswith("custom:"):
            custom[target[7:]] = value
        elif target == "custom_fields":
            custom.update(parse_custom_json(value))
        elif target == "birthday":
            birthday = parse_birthday(value)
            if birthday is not None:
                values.setdefault("birthday", birthday)
        elif target == "lifecycle_stage":
            values.setdefault("lifecycle_stage", parse_lifecycle(value))
        elif target == "email_consent":
            consent = parse_consent(value)
            if consent and values.get("email_consent") != "unsubscribed":
                values["email_consent"] = consent
        elif target == "unsubscribed":
            if parse_flag(value, "opt-out"):
                values["email_consent"] = "unsubscribed"
        elif target == "do_not_contact":
            if parse_flag(value, "do-not-contact"):
                values["do_not_contact"] = True
        elif target == "notes":
            values.setdefault("notes", value.replace("\r\n", "\n").replace("\r", "\n"))
        elif target in ("created_at", "consent_at"):
            values.setdefault(target, parse_when(value))
    if len(emails) > 1:
        emails = _unique(emails, email_key)
    if len(phones) > 1:
        phones = _unique(phones, phone_key)
    if len(tags) > 1:
        tags = _unique(tags, fold)
    if names:
        first = names.get("first_name", "")
        if "middle_name" in names:
            first = f"{first} {names['middle_name']}".strip()
        last = names.get("last_name", "")
        display = names.get("name") or (
            f"{first} {last}".strip() if first and last else first or last
        )
        if "name" in names and not first and not last:
            first, last = split_name(display)
        if display:
            values["first_name"], values["last_name"], values["display_name"] = first, last, display
    return values, emails, phones, tags, custom


def quick_phone_key(phone: str) -> str:
    """phone_key, by one translate for ASCII numbers."""
    if not phone.isascii():
        return phone_key(phone)
    digits = phone.translate(_NOT_DIGITS)
    return "+" + digits if phone.lstrip().startswith("+") else digits


def parse_custom_json(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        raise Invalid(f"custom_fields is not a JSON object: {text[:40]!r}") from None
    if not isinstance(data, dict):
        raise Invalid("custom_fields is not a JSON object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def mapped_rows(
    rows: Iterator[tuple[int, list[str]]], fields: list[str | None]
) -> Iterator[tuple[int, list[str], Pairs | str]]:
    """CSV records as (line, raw cells, [(field, cell)]), or the reason a record is malformed."""
    width = len(fields)
    used = [(i, f) for i, f in enumerate(fields) if f is not None]
    for line, row in rows:
        if len(row) != width:
            fields = "field" if len(row) == 1 else "fields"
            yield line, row, f"has {len(row)} {fields}, the header has {width}"
        else:
            yield line, row, [(f, row[i]) for i, f in used]
