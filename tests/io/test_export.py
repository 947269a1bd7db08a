"""Exporting: safe CSV for spreadsheets, JSON and vCard, and a CSV that imports back losslessly."""

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmtui.core.contacts import add_contact
from crmtui.core.db import Database, sqlite_url
from crmtui.core.models import LIFECYCLE_STAGES
from crmtui.core.schemas import ContactFilter, ContactInput
from crmtui.core.users import add_user
from crmtui.io import export as exporting
from crmtui.io.export import export_contacts
from crmtui.io.imports import ImportRequest, import_contacts

VOLATILE = {"id", "created_at", "updated_at", "version", "consent_at", "last_contacted_at"}


def add(db, **fields):
    with db.transaction(username="sam") as session:
        return add_contact(session, ContactInput(**fields)).id


def export_text(db, fmt="csv", filters=None, **options) -> str:
    out = io.StringIO()
    with db.session() as session:
        export_contacts(session, filters or ContactFilter(), out, fmt, **options)
    return out.getvalue()


def snapshot(db) -> list[dict]:
    rows = json.loads(export_text(db, "json"))
    return sorted(
        ({k: v for k, v in row.items() if k not in VOLATILE} for row in rows),
        key=lambda r: (r["name"], r["email"] or ""),
    )


def reimport(text: str, target: Database, suffix: str = ".csv"):
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        return import_contacts(target, ImportRequest(path=f.name), username="sam")
    finally:
        Path(f.name).unlink()


@pytest.fixture
def other_db(tmp_path):
    database = Database(sqlite_url(tmp_path / "other.db"))
    yield database
    database.dispose()


def rich_contacts(db):
    with db.transaction() as session:
        add_user(session, "alex")
    add(db, name="Ada Lovelace", emails=["ada@example.com", "ada@work.example"],
        phones=["+44 20 7946 0000", "555-0100"], company="Analytical Engines",
        job_title="Analyst", tags=["vip", "poets, and more", "math"], birthday="--12-10",
        notes="Line one,\nline \"two\"", lifecycle_stage="customer", email_consent="subscribed",
        custom_fields={"shoe": "38", "colour": "green"}, city="London", country="UK",
        website="https://ada.example", source="conference", owner="alex")  # fmt: skip
    add(db, name="=HYPERLINK(\"http://evil\")", emails=["evil@example.com"],
        notes="@SUM(A1)", job_title="-2+3", phones=["+61 2 5550 1234"])  # fmt: skip
    add(db, name="Zoë Núñez", phones=["+1 555 0100"], do_not_contact=True,
        email_consent="unsubscribed", birthday="1985-04-12", tags=["solo;tag"])  # fmt: skip


def test_csv_round_trip_into_an_empty_database(db, other_db):
    rich_contacts(db)

    result = reimport(export_text(db), other_db)

    assert (result.inserted, result.rejected, result.ignored_columns) == (3, 0, [])
    assert snapshot(other_db) == snapshot(db)


def test_vcard_round_trip(db, other_db):
    rich_contacts(db)
    text = export_text(db, "vcf")
    assert text.count("BEGIN:VCARD") == 3 and "VERSION:4.0" in text

    result = reimport(text, other_db, ".vcf")

    assert (result.inserted, result.rejected) == (3, 0)
    assert snapshot(other_db) == snapshot(db)


def test_formulas_are_neutralised_but_phone_numbers_are_not(db):
    rich_contacts(db)

    rows = {r["emails"]: r for r in csv.DictReader(io.StringIO(export_text(db)))}

    evil = rows["evil@example.com"]
    assert evil["name"] == '\'=HYPERLINK("http://evil")'
    assert evil["notes"] == "'@SUM(A1)"
    assert evil["job_title"] == "'-2+3"
    assert evil["phones"] == "+61 2 5550 1234"
    raw = {
        r["emails"]: r for r in csv.DictReader(io.StringIO(export_text(db, escape_formulas=False)))
    }
    assert raw["evil@example.com"]["name"] == '=HYPERLINK("http://evil")'


def test_json_and_ndjson_stream_every_page(db, monkeypatch):
    monkeypatch.setattr(exporting, "PAGE", 2)
    for i in range(5):
        add(db, name=f"Person {i}", emails=[f"p{i}@example.com"], tags=["t"] if i % 2 else None)

    rows = json.loads(export_text(db, "json"))
    lines = export_text(db, "ndjson").splitlines()

    assert [r["name"] for r in rows] == [f"Person {i}" for i in range(5)]
    assert [json.loads(line)["emails"] for line in lines] == [
        [f"p{i}@example.com"] for i in range(5)
    ]
    assert [r["tags"] for r in rows] == [[], ["t"], [], ["t"], []]
    only_tagged = json.loads(export_text(db, "json", ContactFilter(tag="t")))
    assert [r["name"] for r in only_tagged] == ["Person 1", "Person 3"]


def test_json_export_has_the_contact_list_shape(db, crm):
    rich_contacts(db)

    exported = json.loads(export_text(db, "json"))
    listed = crm.json("contact", "list", "--sort", "id", "--limit", "0")

    assert exported == listed


# -- the property: export -> import keeps every field ---------------------------------------

_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüøßñ", min_size=1, max_size=8)
_email = st.builds(lambda a, b, n: f"{a}.{n}@{b}.example", st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True),
                   st.from_regex(r"[a-z]{2,8}", fullmatch=True), st.integers(0, 10**6))  # fmt: skip
_phone = st.from_regex(r"\+?[0-9]{1,3}( [0-9]{2,4}){1,3}", fullmatch=True)
_birthday = st.one_of(
    st.none(),
    st.dates().filter(lambda d: d.year >= 1000).map(lambda d: d.isoformat()),
    st.tuples(st.integers(1, 12), st.integers(1, 28)).map(lambda md: f"--{md[0]:02d}-{md[1]:02d}"),
)
_contact = st.fixed_dictionaries({
    "name": _text,
    "emails": st.lists(_email, max_size=3, unique_by=str.lower),
    "phones": st.lists(_phone, max_size=2, unique_by=lambda p: "".join(c for c in p if c.isdigit())),
    "company": st.one_of(st.none(), _text),
    "job_title": st.one_of(st.none(), _text),
    "tags": st.lists(_text, max_size=3, unique_by=lambda t: t.casefold()),
    # Imports store line breaks as \n (Outlook writes \r\n), so notes here use \n only.
    "notes": st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_characters="\r",
                       blacklist_categories=("Cs",)), min_size=1, max_size=60)
                       .map(str.strip).filter(bool)),
    "birthday": _birthday,
    "lifecycle_stage": st.sampled_from(LIFECYCLE_STAGES),
    "email_consent": st.sampled_from(("subscribed", "unsubscribed", "unknown")),
    "do_not_contact": st.one_of(st.none(), st.just(True)),
    "custom_fields": st.dictionaries(_word, _text, max_size=3),
    "city": st.one_of(st.none(), _text),
})  # fmt: skip


@pytest.fixture(scope="module")
def empty_database_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Database(sqlite_url(path)).dispose()
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(contacts=st.lists(_contact, min_size=1, max_size=4))
def test_export_then_import_keeps_every_field(contacts, empty_database_file, tmp_path):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    shutil.copy(empty_database_file, work / "a.db")
    shutil.copy(empty_database_file, work / "b.db")
    source, target = Database(sqlite_url(work / "a.db")), Database(sqlite_url(work / "b.db"))
    try:
        seen_emails: set[str] = set()
        for fields in contacts:
            fields = {
                **fields,
                "emails": [e for e in fields["emails"] if e.lower() not in seen_emails],
            }
            seen_emails.update(e.lower() for e in fields["emails"])
            add(source, **fields)

        result = reimport(export_text(source), target)

        assert result.rejected == 0
        assert snapshot(target) == snapshot(source)
    finally:
        source.dispose()
        target.dispose()


def test_custom_fields_in_csv_are_readable_text_not_unicode_escapes(db):
    add(db, name="Ada", emails=["ada@example.com"], custom_fields={"ville": "Zürich", "名": "日本"})

    (row,) = csv.DictReader(io.StringIO(export_text(db)))

    assert json.loads(row["custom_fields"]) == {"ville": "Zürich", "名": "日本"}
    assert "Zürich" in row["custom_fields"] and "\\u" not in row["custom_fields"]
