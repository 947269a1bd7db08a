"""Importing contacts in bulk: map columns, validate, match duplicates, write batches in one go.

Rows are read as a stream and written a few thousand at a time through the raw DBAPI cursor,
so a million rows take seconds per hundred thousand and memory stays flat. Every insert and
update writes a `change` row tagged with the import batch, which is what `undo` reverts.
"""

import gc
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_string
from time import monotonic
from typing import Any

from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.audit import record_change
from crmtui.core.companies import get_or_create_company
from crmtui.core.contacts import build_contact_search_text, split_name
from crmtui.core.db import commit_and_continue
from crmtui.core.emails import normalize_email
from crmtui.core.errors import Invalid
from crmtui.core.models import Company
from crmtui.core.text import email_key, fold, phone_key, search_text
from crmtui.core.users import ensure_user
from crmtui.io.batches import (
    ImportResult,
    RejectsWriter,
    check_on_duplicate,
    finish_batch,
    start_batch,
)
from crmtui.io.bulk import BulkWriter, SuspendedIndexes, insert_sql
from crmtui.io.values import (
    format_birthday,
    parse_birthday,
    parse_consent,
    parse_flag,
    parse_lifecycle,
    split_list,
    unescape_formula,
)

TEXT_FIELDS = (
    "job_title", "street", "city", "region", "postal_code", "country", "website", "notes", "source",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "display_name", "sort_key", "email", "phone", "job_title",
    "company_id", "birthday_year", "birthday_month", "birthday_day", "street", "city", "region",
    "postal_code", "country", "website", "notes", "source", "lifecycle_stage", "owner_id",
    "email_consent", "consent_at", "consent_source", "do_not_contact", "custom_fields",
    "search_text", "version", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
NAME_COLUMNS = ("first_name", "last_name", "display_name")
# The contact columns a parsed value can change, to read back only those when matching.
COLUMNS_OF = {
    **{name: (name,) for name in (*NAME_COLUMNS, *TEXT_FIELDS, "lifecycle_stage")},
    "company": ("company_id",), "owner": ("owner_id",),
    "birthday": ("birthday_year", "birthday_month", "birthday_day"),
}  # fmt: skip
CONTACT_INDEX = {name: position for position, name in enumerate(CONTACT_COLUMNS)}
# Columns a parsed row's values go to as they are.
TEXT_INDEX = {
    name: CONTACT_INDEX[name] for name in ("first_name", "last_name", "display_name", *TEXT_FIELDS)
}
(DISPLAY_NAME, SORT_KEY, EMAIL, PHONE, COMPANY_ID, BIRTHDAY, LIFECYCLE_STAGE, OWNER_ID,
 EMAIL_CONSENT, CONSENT_AT, DO_NOT_CONTACT, CUSTOM_FIELDS, SEARCH_TEXT) = (
    CONTACT_INDEX[name] for name in (
        "display_name", "sort_key", "email", "phone", "company_id", "birthday_year",
        "lifecycle_stage", "owner_id", "email_consent", "consent_at", "do_not_contact",
        "custom_fields", "search_text",
    )
)  # fmt: skip
_NOT_DIGITS = {code: None for code in range(128) if not chr(code).isdigit()}
EMAIL_COLUMNS = ("contact_id", "email", "email_key", "is_primary", "created_at", "updated_at")
PHONE_COLUMNS = ("contact_id", "phone", "phone_key", "is_primary", "created_at", "updated_at")
TAG_COLUMNS = ("contact_id", "tag_id")
CHANGE_COLUMNS = ("entity", "entity_id", "action", "changes", "user_id", "batch_id", "at")
LIFECYCLE_COLUMNS = ("contact_id", "from_stage", "to_stage", "changed_at", "user_id")
INSERT_EMAIL = insert_sql("contact_email", EMAIL_COLUMNS)
INSERT_PHONE = insert_sql("contact_phone", PHONE_COLUMNS)
INSERT_TAG = insert_sql("contact_tag", TAG_COLUMNS)
INSERT_CHANGE = insert_sql("change", CHANGE_COLUMNS)
INSERT_LIFECYCLE = insert_sql("lifecycle_change", LIFECYCLE_COLUMNS)
_EMAIL_SPLIT = re.compile(r"\s*(?::::|[,;])\s*")
_COMMA_SPACE = re.compile(r",\s")  # phones split there, not at a comma inside a number
_HAS_DIGIT = re.compile(r"\d")
PLAIN_TARGETS = frozenset(
    ("company", "city", "job_title", "street", "region", "postal_code", "country", "website",
     "source", "owner")
)  # fmt: skip
_PHONE_SPLIT = re.compile(r"\s*:::\s*|\s*;\s*|,\s+")
IMPORT_CACHE_KIB = 64 * 1024
# FTS5 writes a segment at the end of each statement (and per `hashsize` of pending terms), and
# merges `automerge` segments of a level at once: indexing a load in statements of CATCH_UP_ROWS
# with these takes a third of the time of 2000-row statements with the defaults, for an index
# that searches as fast or faster (a million contacts: 8.1 s -> 4.8 s at 20,000 rows and 16 MiB,
# 4.2 s at 100,000 and 64 MiB, no higher peak memory)
CATCH_UP_ROWS = 100_000
FTS_BULK_CONFIG = {"hashsize": 64 * 1024 * 1024, "automerge": 16}
FTS_DEFAULT_CONFIG = {"hashsize": 1024 * 1024, "automerge": 4}
# What the per-row SQLite triggers on a new contact do, for a range of ids at once.
CATCH_UP = {
    "contact_fts_ai": "INSERT INTO contact_fts (rowid, search_text) "
    "SELECT id, search_text FROM contact WHERE id BETWEEN ? AND ?",
    "contact_day_ai": "INSERT INTO contact_day (day, owner_key, stage, contacts) "
    "SELECT date(created_at), coalesce(owner_id, 0), coalesce(lifecycle_stage, ''), count(*) "
    "FROM contact WHERE id BETWEEN ? AND ? GROUP BY 1, 2, 3 "
    "ON CONFLICT (day, owner_key, stage) DO UPDATE SET "
    "contacts = contact_day.contacts + excluded.contacts",
}
NAME_QUERY = (
    "SELECT sort_key, id FROM contact WHERE email IS NULL AND id < ? AND sort_key IN ({in})"
)
# While the contact indexes are suspended, names match through a copy of the old contacts' keys.
NAME_KEYS_TABLE = (
    "CREATE TEMP TABLE import_name_key AS "
    "SELECT sort_key, id FROM contact WHERE email IS NULL AND id < ?"
)
NAME_KEYS_QUERY = (
    "SELECT k.sort_key, k.id FROM temp.import_name_key k JOIN contact c ON c.id = k.id "
    "WHERE c.email IS NULL AND c.sort_key = k.sort_key AND k.sort_key IN ({in})"
)
NAME_FIELDS = ("name", "first_name", "middle_name", "last_name", "prefix", "suffix")
# The usual targets by kind: one dict lookup per cell instead of a chain of comparisons.
_PLAIN, _NAME, _EMAIL, _PHONE = "plain", "name", "email", "phone"
_KINDS = {
    **dict.fromkeys(PLAIN_TARGETS, _PLAIN), **dict.fromkeys(NAME_FIELDS, _NAME),
    "email": _EMAIL, "phone": _PHONE,
}  # fmt: skip

Pairs = list[tuple[str, str]]
Progress = Callable[[int, int], None]
Event = Callable[[int, str, str], None]


@dataclass
class ContactImportOptions:
    on_duplicate: str = "skip"
    match: tuple[str, ...] = ()
    dry_run: bool = False
    batch_size: int = 2000
    # commit the rows so far this often (seconds), so other writers get their turn; None: once
    commit_every: float | None = None


class _WriteLockNeeded(Exception):
    """A batch read without the write lock has something to write."""


class _Record:
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


def _json_list(values: list[str]) -> str:
    """`[null, [values]]`: a list field of a created contact in its audit entry."""
    return f"[null,[{','.join(map(_json_string, values))}]]"


def _phone_key(phone: str) -> str:
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


class ContactImporter:
    """One import run inside the caller's transaction."""

    def __init__(
        self,
        session: Session,
        source: str,
        options: ContactImportOptions,
        rejects: RejectsWriter,
        on_event: Event | None = None,
    ) -> None:
        self.session = session
        self.options = options
        self.mode = check_on_duplicate(options.on_duplicate)
        self.rejects = rejects
        self.on_event = on_event
        self.result = ImportResult(entity="contact", source=source, dry_run=options.dry_run)
        self.batch = start_batch(session, "contact", source)
        self.user_id = session.info.get("user_id")
        self.writer = BulkWriter(session)
        self.now = self.writer.timestamp()
        self.suspended: dict[str, str] | None = None  # triggers' SQL from the first insert on
        self.uncaught: tuple[int, int] | None = None  # new contact ids the triggers missed
        self.cache_size = self._enlarge_cache()
        # Contacts with ids from here on were added by this import.
        self.first_new_id = self.writer.query("SELECT COALESCE(MAX(id), 0) + 1 FROM contact")[0][0]
        self.match_fields = [m for m in options.match if m not in ("email", "phone", "name")]
        self.match_phone = "phone" in options.match
        self.name_query = NAME_QUERY.replace("?", str(int(self.first_new_id)))
        self.indexes = SuspendedIndexes(
            self.writer,
            ("contact", "contact_email", "contact_phone", "change", "lifecycle_change"),
            # Lookups this import runs: a contact's emails and phones, phones when matched on, and
            # the ids the audit log names (each batch's new ids come after them: core.ids).
            keep=(
                "ix_contact_email_contact_id", "ix_contact_phone_contact_id", "ix_change_entity",
                *(["ix_contact_phone_phone_key"] if self.match_phone else []),
            ),
        )  # fmt: skip
        self.pending: list[_Record] = []
        self.chunk_started = monotonic()
        self.locked = True  # holding the write lock: chunks after the first begin without it
        self.released_at: float | None = None  # when a checkpoint last let the lock go
        self.pending_keys: set[tuple[str, str]] = set()
        self.companies: dict[str, int] = {}  # by name as written and by folded name
        self.company_names: dict[int, str] = {}
        self.company_keys: dict[int, str] = {}
        self.tags: dict[str, int] = {}
        self.owners: dict[str, int] = {}

    def _suspend_triggers(self) -> dict[str, str]:
        """Drop SQLite's per-row triggers on a new contact for this transaction (their SQL by
        name); catch up on the new rows CATCH_UP_ROWS at a time, with FTS_BULK_CONFIG, until
        they are back.

        The full-text trigger costs about 25 us a row and the day count's about 3 us; one
        INSERT ... SELECT per range of new ids does the same work in a tenth of the time. The
        DROP is part of the transaction, so a failure or Ctrl-C brings them back with the rest.
        """
        if self.writer.dialect != "sqlite":
            return {}
        names = ", ".join(f"'{name}'" for name in CATCH_UP)
        triggers = dict(
            self.writer.query(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
            )
        )
        for name in triggers:
            self.writer.execute(f"DROP TRIGGER {name}")
        if "contact_fts_ai" in triggers:
            self._configure_fts(FTS_BULK_CONFIG)
        return triggers

    def _configure_fts(self, config: dict[str, int]) -> None:
        """Set the full-text index's options (kept in its config table, in the transaction)."""
        for key, value in config.items():
            self.writer.execute(
                "INSERT INTO contact_fts (contact_fts, rank) VALUES (?, ?)", [key, value]
            )

    def _catch_up(self) -> None:
        """Do for the contacts inserted since the last call what the suspended triggers do."""
        if self.uncaught is not None:
            for name in self.suspended:
                self.writer.execute(CATCH_UP[name], list(self.uncaught))
            self.uncaught = None

    def _enlarge_cache(self) -> int | None:
        """A 64 MiB page cache while importing: the emails' unique index and the full-text
        segments stop rereading their pages. (128 MiB was no faster once the other indexes are
        suspended, and took the peak of a million rows from 170 MB to 250 MB.)"""
        if self.writer.dialect != "sqlite":
            return None
        (previous,) = self.writer.query("PRAGMA cache_size")[0]
        self.writer.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        return previous

    def close(self) -> None:
        """Give the connection its usual cache back (it returns to the pool)."""
        if self.cache_size is not None:
            self.writer.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
            self.cache_size = None

    def _restore_triggers(self) -> None:
        if self.suspended:
            self._catch_up()
            if "contact_fts_ai" in self.suspended:
                # the defaults: FTS_BULK_CONFIG is for loads, a row at a time wants smaller segments
                self._configure_fts(FTS_DEFAULT_CONFIG)
            for sql in self.suspended.values():
                self.writer.execute(sql)
            self.suspended = None

    # -- reading ---------------------------------------------------------------------------

    def add(self, line: int, raw: list[str], pairs: Pairs | str) -> None:
        """One data row: mapped cells, or the reason it could not even be mapped."""
        self.result.rows += 1
        if isinstance(pairs, str):
            self._reject(line, raw, pairs)
            return
        try:
            values, emails, phones, tags, custom = parse_contact(pairs)
        except Invalid as exc:
            self._reject(line, raw, str(exc))
            return
        has_name = "display_name" in values
        if not has_name:
            values.update(first_name="", last_name="", display_name=emails[0] if emails else "")
        record = _Record(line, raw, values, emails, phones, tags, custom, has_name)
        keys = record.keys = self._keys(record)
        if not has_name and not keys:
            self._reject(line, raw, "no name and no email")
            return
        # Rows of this file that share an email (or a --match key) are one person; rows that
        # share only a name are not: the name matches only contacts that existed before.
        strong = [key for key in keys if key[0] != "n"]
        if not self.pending_keys.isdisjoint(strong):
            self.flush()
        self.pending.append(record)
        self.pending_keys.update(strong)
        if len(self.pending) >= self.options.batch_size:
            self.flush()

    def _keys(self, record: _Record) -> list[tuple[str, str]]:
        keys = [("e", email_key(e)) for e in record.emails]
        if keys and not self.match_phone and not self.match_fields:
            return keys
        if not keys and record.has_name:
            keys.append(("n", fold(record.values["display_name"])))
        if self.match_phone:
            keys.extend(("p", phone_key(p)) for p in record.phones if phone_key(p))
        for name in self.match_fields:
            if record.custom.get(name):
                keys.append((f"f:{name}", record.custom[name]))
        return keys

    def _reject(self, line: int, raw: list[str], reason: str) -> None:
        self.result.rejected += 1
        self.rejects.reject(line, raw, reason)
        if self.on_event:
            self.on_event(line, "reject", reason)

    # -- matching --------------------------------------------------------------------------

    def _lookup(self, records: list[_Record]) -> dict[tuple[str, str], set[int]]:
        wanted: dict[str, set[str]] = {}
        for record in records:
            for kind, key in record.keys:
                wanted.setdefault(kind, set()).add(key)
        found: dict[tuple[str, str], set[int]] = {}
        w = self.writer
        queries = {
            "e": "SELECT email_key, contact_id FROM contact_email WHERE email_key IN ({in})",
            "n": self.name_query,
            "p": "SELECT phone_key, contact_id FROM contact_phone WHERE phone_key IN ({in})",
        }
        for kind, keys in wanted.items():
            if kind in queries:
                rows = w.query_in(queries[kind], keys)
            else:
                path = "$." + json.dumps(kind[2:])
                if w.dialect == "sqlite":
                    sql = (
                        "SELECT json_extract(custom_fields, ?), id FROM contact "
                        "WHERE json_extract(custom_fields, ?) IN ({in})"
                    )
                    rows = w.query_in(sql, keys, extra=[path, path])
                else:
                    sql = "SELECT custom_fields->>?, id FROM contact WHERE custom_fields->>? IN ({in})"
                    rows = w.query_in(sql, keys, extra=[kind[2:], kind[2:]])
            for key, contact_id in rows:
                found.setdefault((kind, key), set()).add(contact_id)
        return found

    def _match(self, record: _Record, found: dict) -> int | None:
        if len(record.keys) == 1:  # the usual row: one email, found once or not at all
            ids = found.get(record.keys[0])
            if not ids:
                return None
            if len(ids) == 1:
                return next(iter(ids))
        hits = [k for k in record.keys if k in found]
        if not hits:
            return None
        by_email = set().union(*(found[k] for k in hits if k[0] == "e"))
        if len(by_email) > 1:
            ids = ", ".join(map(str, sorted(by_email)))
            raise Invalid(f"its emails belong to different contacts ({ids})")
        if by_email:
            return by_email.pop()
        for kind in ("n", "p", *(f"f:{name}" for name in self.match_fields)):
            ids = set().union(*(found[k] for k in hits if k[0] == kind))
            if kind == "n" and ids:
                return min(ids)
            if len(ids) > 1:
                listed = ", ".join(map(str, sorted(ids)))
                raise Invalid(f"it matches several contacts ({listed})")
            if ids:
                return ids.pop()
        return None

    # -- writing ---------------------------------------------------------------------------

    def flush(self) -> None:
        records, self.pending, self.pending_keys = self.pending, [], set()
        if not records:
            return
        try:
            self._write_batch(records)
        except _WriteLockNeeded:
            self._take_write_lock()
            self._write_batch(records)  # read again: another writer may have been in between
        self._checkpoint()

    def _write_batch(self, records: list[_Record]) -> None:
        """Match the batch and write it. Without the write lock, _WriteLockNeeded comes before
        anything is written or counted."""
        found = self._lookup(records)
        new: list[_Record] = []
        matched: list[tuple[_Record, int]] = []
        refused: list[tuple[_Record, str]] = []
        for record in records:
            try:
                contact_id = self._match(record, found)
            except Invalid as exc:
                refused.append((record, str(exc)))
                continue
            if contact_id is None and not record.values["display_name"]:
                # Only a phone or an external id: good for finding someone, not for adding them.
                refused.append((record, "no name and no email"))
            elif contact_id is None:
                new.append(record)
            else:
                matched.append((record, contact_id))
        if new:
            self._writing()
        updates = self._read_updates(matched, found) if matched and self.mode != "skip" else None
        for record, reason in refused:
            self._reject(record.line, record.raw, reason)
        if new:
            self._insert(new)
        if updates is not None:
            self._update(*updates)
        elif matched:
            self.result.unchanged += len(matched)
            if self.on_event:
                for record, contact_id in matched:
                    self.on_event(record.line, "skip", f"contact {contact_id} already exists")

    def _writing(self) -> None:
        """Called before writing: a batch read without the write lock is begun again with it."""
        if not self.locked:
            raise _WriteLockNeeded

    def _take_write_lock(self) -> None:
        commit_and_continue(self.session, released_at=self.released_at)
        self.locked = True
        self.chunk_started = monotonic()

    def _checkpoint(self) -> None:
        """Commit what is written so far once the write lock has been held long enough.

        Not while indexes are suspended for a bulk load: others must never see them missing.
        The batch record lets a failure after a checkpoint undo the committed part. The next
        chunk only reads until it has something to write, so a re-import that changes nothing
        keeps no other writer waiting (and need not pause for them).
        """
        every = self.options.commit_every
        if every is None or self.indexes.dropped or monotonic() - self.chunk_started < every:
            return
        self._restore_triggers()  # committed state indexes rows as they come
        commit_and_continue(self.session, lock=False)
        self.session.info["committed_batch"] = self.batch.id
        if self.locked:
            self.locked, self.released_at = False, monotonic()
        self.chunk_started = monotonic()

    def _company_id(self, name: str | None) -> int | None:
        if not name:
            return None
        company_id = self.companies.get(name)
        if company_id is None:
            key = fold(name)
            company_id = self.companies.get(key)
            if company_id is None:
                self._writing()
                company = get_or_create_company(self.session, name)
                company_id = company.id
                self.company_names[company_id] = company.name
            self.companies[key] = self.companies[name] = company_id
        return company_id

    def _resolve_companies(self, records: list[_Record]) -> None:
        """Find, or create, every company these rows name that is not known yet, all at once:
        one at a time, a thousand new companies took a second (three round trips each)."""
        wanted: dict[str, str] = {}  # first name as written, by folded name
        for record in records:
            name = record.values.get("company")
            if name and name not in self.companies:
                key = fold(name)
                if key in self.companies:
                    self.companies[name] = self.companies[key]
                else:
                    wanted.setdefault(key, name)
        if not wanted:
            return
        sql = "SELECT id, name, name_key FROM company WHERE name_key IN ({in})"
        for company_id, name, key in self.writer.query_in(sql, wanted):
            self.companies[key] = company_id
            self.company_names[company_id] = name
            del wanted[key]
        if wanted:
            self._writing()
        created = [
            Company(name=name, name_key=key, search_text=search_text(name), owner_id=self.user_id)
            for key, name in wanted.items()
        ]
        self.session.add_all(created)
        self.session.flush()
        for company in created:
            record_change(
                self.session, "company", company.id, "create", {"name": [None, company.name]}
            )
            self.companies[company.name_key] = company.id
            self.company_names[company.id] = company.name
        self.session.flush()

    def _company_name(self, company_id: int | None) -> str | None:
        if company_id is None:
            return None
        if company_id not in self.company_names:
            rows = self.writer.query("SELECT name FROM company WHERE id = ?", [company_id])
            self.company_names[company_id] = rows[0][0] if rows else None
        return self.company_names[company_id]

    def _tag_id(self, name: str) -> int:
        key = fold(name)
        if key not in self.tags:
            self._writing()
            self.tags[key] = tagging.ensure_tags(self.session, [name])[0].id
        return self.tags[key]

    def _owner_id(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self.owners:
            self._writing()
            self.owners[name] = ensure_user(self.session, name).id
        return self.owners[name]

    def _insert(self, records: list[_Record]) -> None:
        w, now, user_id, batch_id = self.writer, self.now, self.user_id, self.batch.id
        if self.suspended is None:
            self.suspended = self._suspend_triggers()
        self._resolve_companies(records)
        first_id = w.allocate_ids("contact", len(records))
        contacts, emails, phones, tags, changes = [], [], [], [], []
        ascii_emails = True  # then each primary email's key is its lower case, as SQL gives it
        company_id_of, on_event = self._company_id, self.on_event
        # A contact row with every default in place; each record overwrites what it sets.
        template = [None] * len(CONTACT_COLUMNS)
        for name, value in (("lifecycle_stage", "lead"), ("owner_id", user_id),
                            ("email_consent", "unknown"), ("do_not_contact", False),
                            ("custom_fields", "{}"), ("version", 1), ("created_by_id", user_id),
                            ("created_at", now), ("updated_at", now)):  # fmt: skip
            template[CONTACT_INDEX[name]] = value
        for contact_id, record in enumerate(records, first_id):
            row = template.copy()
            row[0] = contact_id
            audit = []
            company_id = birthday = None
            stage, owner_id, consent = "lead", user_id, "unknown"
            for key, value in record.values.items():
                position = TEXT_INDEX.get(key)
                if position is not None:
                    row[position] = value
                    if value:
                        audit.append(f'"{key}":[null,{_json_string(value)}]')
                elif key == "company":
                    company_id = company_id_of(value)
                elif key == "owner":
                    owner_id = self._owner_id(value) or user_id
                elif key == "birthday":
                    birthday = value
                elif key == "lifecycle_stage":
                    stage = value or "lead"
                elif key == "email_consent":
                    consent = value
                elif key == "do_not_contact":
                    row[DO_NOT_CONTACT] = True
                    audit.append('"do_not_contact":[null,true]')
            row_emails, row_phones = record.emails, record.phones
            phone_keys = [_phone_key(p) for p in row_phones]
            row[SORT_KEY] = sort_key = fold(row[DISPLAY_NAME])
            rest = " ".join([*row_emails, *row_phones, *phone_keys])
            if rest.isascii() and rest.isprintable() and "  " not in rest:
                rest = rest.lower()  # what fold() gives for such text, at a tenth of the cost
            else:
                rest = fold(rest)
            if row_emails:
                row[EMAIL] = email = row_emails[0]
                audit.append(f'"email":[null,{_json_string(email)}]')
                ascii_emails = ascii_emails and email.isascii()
                if len(row_emails) > 1:
                    for email, (_, key) in zip(row_emails[1:], record.keys[1:], strict=False):
                        emails.append((contact_id, email, key, False, now, now))
                    audit.append(f'"emails":{_json_list(row_emails)}')
            if row_phones:
                row[PHONE] = phone = row_phones[0]
                audit.append(f'"phone":[null,{_json_string(phone)}]')
                phones.append((contact_id, phone, phone_keys[0], True, now, now))
                if len(row_phones) > 1:
                    for phone, key in zip(row_phones[1:], phone_keys[1:], strict=True):
                        phones.append((contact_id, phone, key, False, now, now))
                    audit.append(f'"phones":{_json_list(row_phones)}')
            text = f"{sort_key} {rest}" if sort_key and rest else sort_key or rest
            if company_id is not None:
                row[COMPANY_ID] = company_id
                audit.append(f'"company_id":[null,{company_id}]')
                company_key = self._company_key(company_id)
                text = f"{text} {company_key}" if text and company_key else text or company_key
            row[SEARCH_TEXT] = text
            if birthday is not None:
                row[BIRTHDAY : BIRTHDAY + 3] = birthday
                audit.append(f'"birthday":[null,"{format_birthday(*birthday)}"]')
            if stage != "lead":
                row[LIFECYCLE_STAGE] = stage
            if owner_id != user_id:
                row[OWNER_ID] = owner_id
            if owner_id is not None:
                audit.append(f'"owner_id":[null,{owner_id}]')
            if consent != "unknown":
                row[EMAIL_CONSENT], row[CONSENT_AT] = consent, now
            audit.append(f'"lifecycle_stage":[null,"{stage}"],"email_consent":[null,"{consent}"]')
            if record.custom:
                row[CUSTOM_FIELDS] = custom = w.json(record.custom)
                audit.append(f'"custom_fields":[null,{custom}]')
            if record.tags:
                for tag in record.tags:
                    tags.append((contact_id, self._tag_id(tag)))
                audit.append(f'"tags":{_json_list(record.tags)}')
            contacts.append(row)
            changes.append(
                ("contact", contact_id, "create", "{" + ",".join(audit) + "}", user_id, batch_id,
                 now)
            )  # fmt: skip
            if on_event:
                on_event(record.line, "insert", f"{row[DISPLAY_NAME]} <{row[EMAIL] or ''}>")
        self._write_rows("contact", CONTACT_COLUMNS, contacts)
        if self.suspended:
            # ids are ours from the first uncaught one on: the write lock is held throughout
            start = first_id if self.uncaught is None else self.uncaught[0]
            self.uncaught = (start, first_id + len(records) - 1)
            if self.uncaught[1] - start >= CATCH_UP_ROWS:
                self._catch_up()
        if ascii_emails:
            # the primary emails read back from the rows: a fifth of the time of sending them
            self.indexes.adding("contact_email", len(records))
            w.execute(
                f"INSERT INTO contact_email ({', '.join(EMAIL_COLUMNS)}) "
                "SELECT id, email, lower(email), TRUE, ?, ? FROM contact "
                "WHERE id BETWEEN ? AND ? AND email IS NOT NULL ORDER BY id",
                [now, now, first_id, first_id + len(records) - 1],
            )
        else:
            self._write_rows("contact_email", EMAIL_COLUMNS, [
                (contact_id, record.emails[0], record.keys[0][1], True, now, now)
                for contact_id, record in enumerate(records, first_id) if record.emails
            ])  # fmt: skip
        self._write_rows("contact_email", EMAIL_COLUMNS, emails)
        self._write_rows("contact_phone", PHONE_COLUMNS, phones)
        w.insert("contact_tag", TAG_COLUMNS, list(dict.fromkeys(tags)))
        self._write_rows("change", CHANGE_COLUMNS, changes)
        # each new contact's first stage, read back from its row: a fifth of the time of sending
        self.indexes.adding("lifecycle_change", len(records))
        w.execute(
            f"INSERT INTO lifecycle_change ({', '.join(LIFECYCLE_COLUMNS)}) "
            "SELECT id, NULL, lifecycle_stage, ?, CAST(? AS INTEGER) FROM contact "
            "WHERE id BETWEEN ? AND ? "
            "ORDER BY id",
            [now, user_id, first_id, first_id + len(records) - 1],
        )
        self.result.inserted += len(records)

    def _write_rows(self, table: str, columns: tuple[str, ...], rows: list) -> None:
        if self.indexes.adding(table, len(rows)) and table == "contact":
            self.writer.execute(NAME_KEYS_TABLE, [self.first_new_id])
            self.writer.execute(
                "CREATE INDEX temp.import_name_key_sort ON import_name_key (sort_key)"
            )
            self.name_query = NAME_KEYS_QUERY
        self.writer.insert(table, columns, rows)

    def _company_key(self, company_id: int) -> str:
        key = self.company_keys.get(company_id)
        if key is None:
            key = self.company_keys[company_id] = fold(self._company_name(company_id))
        return key

    def _current(self, matched: list[tuple[_Record, int]]) -> dict[int, dict[str, Any]]:
        """The matched contacts' present values: the columns these rows could change, and their
        tags when the rows carry some (their emails and phones come from `_read_lists`)."""
        w = self.writer
        ids = sorted({contact_id for _, contact_id in matched})
        columns = {"id", "display_name", "phone", "company_id", "email_consent", "do_not_contact"}
        with_tags = False
        for record, _ in matched:
            for key in record.values:
                columns.update(COLUMNS_OF.get(key, ()))
            if record.custom:
                columns.add("custom_fields")
            with_tags = with_tags or bool(record.tags)
        names = sorted(columns)
        birthday = "birthday_month" in columns
        current: dict[int, dict[str, Any]] = {}
        sql = f"SELECT {', '.join(names)} FROM contact WHERE id IN ({{in}})"
        for row in w.query_in(sql, ids):
            item = dict(zip(names, row, strict=True))
            custom = item.get("custom_fields")
            if isinstance(custom, str):
                item["custom_fields"] = {} if custom == "{}" else json.loads(custom)
            item["do_not_contact"] = bool(item["do_not_contact"])
            if birthday:
                item["birthday"] = (
                    (item["birthday_year"], item["birthday_month"], item["birthday_day"])
                    if item["birthday_month"]
                    else None
                )
            item["tags"] = {}
            current[item["id"]] = item
        if with_tags:
            for contact_id, key, name in w.query_in(
                "SELECT ct.contact_id, t.name_key, t.name FROM contact_tag ct "
                "JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id IN ({in})",
                ids,
            ):
                current[contact_id]["tags"][key] = name
        return current

    def _read_lists(self, current: dict[int, dict[str, Any]], ids: list[int]) -> None:
        """Add these contacts' emails and phones, primary first, to their present values."""
        for contact_id in ids:
            current[contact_id]["emails"], current[contact_id]["phones"] = [], []
        for contact_id, email in self.writer.query_in(
            "SELECT contact_id, email FROM contact_email WHERE contact_id IN ({in}) "
            "ORDER BY contact_id, is_primary DESC, id",
            ids,
        ):
            current[contact_id]["emails"].append(email)
        for contact_id, phone in self.writer.query_in(
            "SELECT contact_id, phone FROM contact_phone WHERE contact_id IN ({in}) "
            "ORDER BY contact_id, is_primary DESC, id",
            ids,
        ):
            current[contact_id]["phones"].append(phone)

    def _adds_nothing(self, record: _Record, cur: dict[str, Any], found: dict) -> bool:
        """Whether the row leaves its contact as it is, told from the contact row alone: the
        lookup found every email of the row, its one phone is the contact's primary phone."""
        for key in record.keys[: len(record.emails)]:
            if key not in found:
                return False
        phones = record.phones
        if phones and (len(phones) > 1 or phones[0] != cur["phone"]):
            return False
        for tag in record.tags:
            if fold(tag) not in cur["tags"]:
                return False
        return not self._changes(record, cur)

    def _changes(self, record: _Record, cur: dict[str, Any]) -> dict[str, Any]:
        """The new values for the fields this row changes, by the --on-duplicate rule."""
        overwrite = self.mode == "update"
        values: dict[str, Any] = {}
        for key, new in record.values.items():
            if key in TEXT_INDEX:
                if not record.has_name and key in NAME_COLUMNS:
                    continue
                name = key
            elif key == "company":
                name, new = "company_id", self._company_id(new)
            elif key == "owner":
                name, new = "owner_id", self._owner_id(new)
            elif key == "birthday" or (key == "lifecycle_stage" and overwrite and new):
                name = key
            elif key == "email_consent":
                # Imports record opt-outs always, never re-subscribe anyone.
                old = cur["email_consent"]
                if (
                    new == "unsubscribed"
                    and old != "unsubscribed"
                    or (new == "subscribed" and old == "unknown")
                ):
                    values["email_consent"] = new
                continue
            elif key == "do_not_contact":
                # ... and never clear do-not-contact.
                if new and not cur["do_not_contact"]:
                    values["do_not_contact"] = True
                continue
            else:
                continue
            old = cur[name]
            if new != old and (overwrite or old is None or old == ""):
                values[name] = new
        if record.custom:
            old = cur["custom_fields"]
            merged = {**old, **record.custom} if overwrite else {**record.custom, **old}
            if merged != old:
                values["custom_fields"] = merged
        return values

    def _read_updates(
        self, matched: list[tuple[_Record, int]], found: dict
    ) -> tuple[list[tuple[_Record, int]], list[bool], dict, dict]:
        """What the update needs read, every read done first so that the writes go out without
        waiting for each other: the contacts, and which rows leave their contact as it is."""
        current = self._current(matched)
        self._resolve_companies([record for record, _ in matched])
        for record, contact_id in matched:
            self._company_name(current[contact_id]["company_id"])
            self._owner_id(record.values.get("owner"))
        # Most rows of a re-import change nothing: those need not read the emails and phones.
        rows_of = Counter(contact_id for _, contact_id in matched)
        same = [
            rows_of[contact_id] == 1 and self._adds_nothing(record, current[contact_id], found)
            for record, contact_id in matched
        ]
        if not all(same):
            self._writing()
            changing = [pair for pair, s in zip(matched, same, strict=True) if not s]
            for record, _ in changing:
                for tag in record.tags:
                    self._tag_id(tag)
            self._read_lists(current, sorted({contact_id for _, contact_id in changing}))
        return matched, same, current, found

    def _update(
        self, matched: list[tuple[_Record, int]], same: list[bool], current: dict, found: dict
    ) -> None:
        if self.uncaught and any(i >= self.uncaught[0] for _, i in matched):
            self._catch_up()  # the update triggers take the old row out of the index and counts
        with self.writer.pipeline():
            self._write_updates(matched, same, current, found)

    def _write_updates(
        self, matched: list[tuple[_Record, int]], same: list[bool], current: dict, found: dict
    ) -> None:
        for (record, contact_id), unchanged in zip(matched, same, strict=True):
            if unchanged:
                self.result.unchanged += 1
                if self.on_event:
                    self.on_event(record.line, "unchanged", f"contact {contact_id}")
                continue
            cur = current[contact_id]
            values = self._changes(record, cur)
            # The lookup already says which of the row's emails exist (all on this contact).
            new_emails = [
                e for e, key in zip(record.emails, record.keys, strict=False)
                if key not in found
            ]  # fmt: skip
            new_phones = record.phones
            if new_phones:
                if set(new_phones).issubset(cur["phones"]):  # as written before: no new number
                    new_phones = []
                else:
                    phone_keys = {_phone_key(p) for p in cur["phones"]}
                    new_phones = [p for p in new_phones if _phone_key(p) not in phone_keys]
            new_tags = record.tags
            if new_tags:
                new_tags = [t for t in new_tags if fold(t) not in cur["tags"]]
            if not values and not new_emails and not new_phones and not new_tags:
                self.result.unchanged += 1
                if self.on_event:
                    self.on_event(record.line, "unchanged", f"contact {contact_id}")
                continue
            self._write_update(contact_id, cur, values, new_emails, new_phones, new_tags)
            cur.update(values)
            cur["emails"] += new_emails
            cur["phones"] += new_phones
            cur["tags"].update({fold(t): t for t in new_tags})
            self.result.updated += 1
            if self.on_event:
                changed = [*values, *(["emails"] if new_emails else []),
                           *(["phones"] if new_phones else []), *(["tags"] if new_tags else [])]  # fmt: skip
                self.on_event(record.line, "update", f"contact {contact_id}: {', '.join(changed)}")

    def _write_update(
        self,
        contact_id: int,
        cur: dict[str, Any],
        values: dict[str, Any],
        new_emails: list[str],
        new_phones: list[str],
        new_tags: list[str],
    ) -> None:
        w, now = self.writer, self.now
        columns: dict[str, Any] = {}
        changes: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = cur[name]
            if name == "birthday":
                year, month, day = new
                columns.update(birthday_year=year, birthday_month=month, birthday_day=day)
                changes[name] = [format_birthday(*(old or (None,) * 3)) or None,
                                 format_birthday(*new)]  # fmt: skip
            elif name == "custom_fields":
                columns[name] = w.json(new)
                changes[name] = [old, new]
            else:
                columns[name] = new
                changes[name] = [old, new]
        emails = cur["emails"] + new_emails
        phones = cur["phones"] + new_phones
        if new_emails:
            changes["emails"] = [cur["emails"], emails]
            if not cur["emails"]:
                columns["email"] = emails[0]
        if new_phones:
            changes["phones"] = [cur["phones"], phones]
            if not cur["phones"]:
                columns["phone"] = phones[0]
        if new_tags:
            changes["tags"] = [sorted(cur["tags"].values()), [*cur["tags"].values(), *new_tags]]
        display = values.get("display_name", cur["display_name"])
        if "display_name" in values:
            columns["sort_key"] = fold(display)
        if "email_consent" in values:
            columns["consent_at"] = now
        company_id = values.get("company_id", cur["company_id"])
        if columns.keys() & {"display_name", "company_id"} or new_emails or new_phones:
            columns["search_text"] = build_contact_search_text(
                display, emails, phones, self._company_name(company_id)
            )
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sep = ", " if assignments else ""
        w.execute(
            f"UPDATE contact SET {assignments}{sep}version = version + 1, updated_at = ? "
            "WHERE id = ?",
            [*columns.values(), now, contact_id],
        )
        has_email, has_phone = bool(cur["emails"]), bool(cur["phones"])
        w.many(INSERT_EMAIL, [
            (contact_id, e, email_key(e), not has_email and i == 0, now, now)
            for i, e in enumerate(new_emails)
        ])  # fmt: skip
        w.many(INSERT_PHONE, [
            (contact_id, p, phone_key(p), not has_phone and i == 0, now, now)
            for i, p in enumerate(new_phones)
        ])  # fmt: skip
        w.many(INSERT_TAG, [(contact_id, self._tag_id(t)) for t in new_tags])
        w.execute(
            INSERT_CHANGE,
            ["contact", contact_id, "update", w.json(changes), self.user_id, self.batch.id, now],
        )
        if "lifecycle_stage" in values:
            w.execute(
                INSERT_LIFECYCLE,
                [contact_id, cur["lifecycle_stage"], values["lifecycle_stage"], now, self.user_id],
            )

    def finish(self) -> ImportResult:
        self.flush()
        if not self.locked:
            self._take_write_lock()
        self._restore_triggers()
        if self.indexes.dropped:
            # CREATE INDEX sorts in as much memory again as the page cache: a quarter of each.
            self.writer.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB // 4}")
            self.indexes.restore()
        if self.name_query is NAME_KEYS_QUERY:
            self.writer.execute("DROP TABLE temp.import_name_key")
        finish_batch(self.session, self.batch, self.result)
        return self.result


def import_contact_rows(
    session: Session,
    rows: Iterable[tuple[int, list[str], Pairs | str]],
    *,
    source: str,
    options: ContactImportOptions,
    rejects: RejectsWriter,
    progress: Callable[[int], None] | None = None,
    on_event: Event | None = None,
) -> ImportResult:
    """Import (line, raw cells, mapped pairs) rows into the session's transaction."""
    importer = ContactImporter(session, source, options, rejects, on_event)
    # Rows make no reference cycles, but their millions of small objects keep triggering the
    # cycle collector, which then walks every object alive: a fifth of the import's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for count, (line, raw, pairs) in enumerate(rows, 1):
            importer.add(line, raw, pairs)
            if progress is not None and count % 1000 == 0:
                progress(count)
        result = importer.finish()
    finally:
        importer.close()
        if collecting:
            gc.enable()
    return result


def mapped_rows(
    rows: Iterator[tuple[int, list[str]]], fields: list[str | None]
) -> Iterator[tuple[int, list[str], Pairs | str]]:
    """CSV records as (line, raw cells, [(field, cell)]), or the reason a record is malformed."""
    width = len(fields)
    used = [(i, f) for i, f in enumerate(fields) if f is not None]
    for line, row in rows:
        if len(row) != width:
            yield line, row, f"has {len(row)} fields, the header has {width}"
        else:
            yield line, row, [(f, row[i]) for i, f in used]
