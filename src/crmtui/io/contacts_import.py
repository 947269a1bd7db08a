"""Importing contacts in bulk: map columns, validate, match duplicates, write batches in one go.

Rows are read as a stream and written a few thousand at a time through the raw DBAPI cursor,
so a million rows take seconds per hundred thousand and memory stays flat. Every insert and
update writes a `change` row tagged with the import batch, which is what `undo` reverts.
"""

import gc
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_string
from operator import itemgetter
from time import monotonic

from sqlmodel import Session

from crmtui.core import tags as tagging
from crmtui.core.companies import get_or_create_company
from crmtui.core.db import commit_and_continue
from crmtui.core.errors import Invalid
from crmtui.core.text import email_key, fold, phone_key, search_text
from crmtui.core.users import ensure_user
from crmtui.io.batches import (
    ImportResult,
    RejectsWriter,
    check_on_duplicate,
    finish_batch,
    start_batch,
)
from crmtui.io.bulk import BulkWriter, SuspendedIndexes
from crmtui.io.contact_rows import (
    CHANGE_COLUMNS,
    CONTACT_COLUMNS,
    CONTACT_INDEX,
    EMAIL_COLUMNS,
    LIFECYCLE_COLUMNS,
    PHONE_COLUMNS,
    TAG_COLUMNS,
    TEXT_INDEX,
    Pairs,
    Record,
    parse_contact,
    quick_phone_key,
)
from crmtui.io.contact_updates import ContactUpdates
from crmtui.io.suspended_triggers import SuspendedTriggers
from crmtui.io.values import format_birthday

(DISPLAY_NAME, SORT_KEY, EMAIL, PHONE, COMPANY_ID, BIRTHDAY, LIFECYCLE_STAGE, OWNER_ID,
 EMAIL_CONSENT, CONSENT_AT, DO_NOT_CONTACT, CUSTOM_FIELDS, SEARCH_TEXT, CREATED_AT) = (
    CONTACT_INDEX[name] for name in (
        "display_name", "sort_key", "email", "phone", "company_id", "birthday_year",
        "lifecycle_stage", "owner_id", "email_consent", "consent_at", "do_not_contact",
        "custom_fields", "search_text", "created_at",
    )
)  # fmt: skip
IMPORT_CACHE_KIB = 64 * 1024
COMPANY_COLUMNS = (
    "id", "name", "name_key", "search_text", "owner_id", "custom_fields", "version", "created_at",
    "updated_at",
)  # fmt: skip
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


def _json_list(values: list[str]) -> str:
    """`[null, [values]]`: a list field of a created contact in its audit entry."""
    return f"[null,[{','.join(map(_json_string, values))}]]"


class ContactImporter(ContactUpdates):
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
        # Events are told once their batch is written, in line order: a row rejected while the
        # batch filled would otherwise come before the earlier rows the batch then adds.
        self.tell = on_event
        self.events: list[tuple[int, str, str]] = []
        self.on_event = (lambda *event: self.events.append(event)) if on_event else None
        self.result = ImportResult(entity="contact", source=source, dry_run=options.dry_run)
        self.batch = start_batch(session, "contact", source)
        self.user_id = session.info.get("user_id")
        self.writer = BulkWriter(session)
        self.now = self.writer.timestamp()
        self.triggers = SuspendedTriggers(self.writer)  # from the first insert on
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
        self.pending: list[Record] = []
        self.chunk_started = monotonic()
        self.locked = True  # holding the write lock: chunks after the first begin without it
        self.released_at: float | None = None  # when a checkpoint last let the lock go
        self.pending_keys: set[tuple[str, str]] = set()
        self.companies: dict[str, int] = {}  # by name as written and by folded name
        self.company_names: dict[int, str] = {}
        self.company_keys: dict[int, str] = {}
        self.tags: dict[str, int] = {}
        self.owners: dict[str, int] = {}

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
        record = Record(line, raw, values, emails, phones, tags, custom, has_name)
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

    def _keys(self, record: Record) -> list[tuple[str, str]]:
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

    def _lookup(self, records: list[Record]) -> dict[tuple[str, str], set[int]]:
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

    def _match(self, record: Record, found: dict) -> int | None:
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
        if records:
            try:
                self._write_batch(records)
            except _WriteLockNeeded:
                self._take_write_lock()
                self._write_batch(records)  # read again: another writer may have been in between
            self._checkpoint()
        if self.events:
            for event in sorted(self.events, key=itemgetter(0)):
                self.tell(*event)
            self.events.clear()

    def _write_batch(self, records: list[Record]) -> None:
        """Match the batch and write it. Without the write lock, _WriteLockNeeded comes before
        anything is written or counted."""
        found = self._lookup(records)
        new: list[Record] = []
        matched: list[tuple[Record, int]] = []
        refused: list[tuple[Record, str]] = []
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
        self.triggers.restore()  # committed state indexes rows as they come
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

    def _resolve_companies(self, records: list[Record]) -> None:
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
        if not wanted:
            return
        self._writing()
        # written as the contacts are: tens of thousands of new companies through the ORM took
        # a fifth of the import
        w, now, first_id = self.writer, self.now, self.writer.allocate_ids("company", len(wanted))
        created = [(company_id, key, name) for company_id, (key, name) in
                   enumerate(wanted.items(), first_id)]  # fmt: skip
        w.insert("company", COMPANY_COLUMNS, [
            (company_id, name, key, search_text(name), self.user_id, "{}", 1, now, now)
            for company_id, key, name in created
        ])  # fmt: skip
        w.insert("change", CHANGE_COLUMNS, [
            ("company", company_id, "create", w.json({"name": [None, name]}), self.user_id,
             self.batch.id, now)
            for company_id, _key, name in created
        ])  # fmt: skip
        for company_id, key, name in created:
            self.companies[key] = company_id
            self.company_names[company_id] = name

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

    def _insert(self, records: list[Record]) -> None:
        w, now, user_id, batch_id = self.writer, self.now, self.user_id, self.batch.id
        self.triggers.suspend()
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
            company_id = birthday = consent_at = None
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
                elif key == "created_at":  # an export's, or another tool's creation date
                    row[CREATED_AT] = w.timestamp(value)
                    audit.append(f'"created_at":[null,"{value.isoformat()}"]')
                elif key == "consent_at":
                    consent_at = value
            row_emails, row_phones = record.emails, record.phones
            phone_keys = [quick_phone_key(p) for p in row_phones]
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
                row[EMAIL_CONSENT] = consent
                row[CONSENT_AT] = now if consent_at is None else w.timestamp(consent_at)
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
        self.triggers.added(first_id, first_id + len(records) - 1)
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
        # each new contact's first stage, from when it was created, read back from its row: a
        # fifth of the time of sending
        self.indexes.adding("lifecycle_change", len(records))
        w.execute(
            f"INSERT INTO lifecycle_change ({', '.join(LIFECYCLE_COLUMNS)}) "
            "SELECT id, NULL, lifecycle_stage, created_at, CAST(? AS INTEGER) FROM contact "
            "WHERE id BETWEEN ? AND ? "
            "ORDER BY id",
            [user_id, first_id, first_id + len(records) - 1],
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

    def finish(self) -> ImportResult:
        self.flush()
        if not self.locked:
            self._take_write_lock()
        self.triggers.restore()
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
