"""The update half of a contact import: what a matched row changes, and writing it."""

import json
from collections import Counter
from typing import Any

from crmtui.core.contacts import build_contact_search_text
from crmtui.core.text import email_key, fold, phone_key
from crmtui.io.bulk import insert_sql
from crmtui.io.contact_rows import (
    CHANGE_COLUMNS,
    EMAIL_COLUMNS,
    LIFECYCLE_COLUMNS,
    NAME_COLUMNS,
    PHONE_COLUMNS,
    TAG_COLUMNS,
    TEXT_FIELDS,
    TEXT_INDEX,
    Record,
    quick_phone_key,
)
from crmtui.io.values import format_birthday

# The contact columns a parsed value can change, to read back only those when matching.
COLUMNS_OF = {
    **{name: (name,) for name in (*NAME_COLUMNS, *TEXT_FIELDS, "lifecycle_stage")},
    "company": ("company_id",), "owner": ("owner_id",),
    "birthday": ("birthday_year", "birthday_month", "birthday_day"),
}  # fmt: skip
INSERT_EMAIL = insert_sql("contact_email", EMAIL_COLUMNS)
INSERT_PHONE = insert_sql("contact_phone", PHONE_COLUMNS)
INSERT_TAG = insert_sql("contact_tag", TAG_COLUMNS)
INSERT_CHANGE = insert_sql("change", CHANGE_COLUMNS)
INSERT_LIFECYCLE = insert_sql("lifecycle_change", LIFECYCLE_COLUMNS)


class ContactUpdates:
    """ContactImporter's methods for rows that match an existing contact."""

    def _current(self, matched: list[tuple[Record, int]]) -> dict[int, dict[str, Any]]:
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

    def _adds_nothing(self, record: Record, cur: dict[str, Any], found: dict) -> bool:
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

    def _changes(self, record: Record, cur: dict[str, Any]) -> dict[str, Any]:
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
        self, matched: list[tuple[Record, int]], found: dict
    ) -> tuple[list[tuple[Record, int]], list[bool], dict, dict]:
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
        self, matched: list[tuple[Record, int]], same: list[bool], current: dict, found: dict
    ) -> None:
        self.triggers.catch_up_before_updating(i for _, i in matched)
        with self.writer.pipeline():
            self._write_updates(matched, same, current, found)

    def _write_updates(
        self, matched: list[tuple[Record, int]], same: list[bool], current: dict, found: dict
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
                    phone_keys = {quick_phone_key(p) for p in cur["phones"]}
                    new_phones = [p for p in new_phones if quick_phone_key(p) not in phone_keys]
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
