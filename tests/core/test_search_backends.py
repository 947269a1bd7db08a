"""Search means the same on SQLite and PostgreSQL: folded, word-prefix, indexed."""

import pytest
from sqlalchemy import text

from crmtui.core import search
from crmtui.core.contacts import add_contact, list_contacts
from crmtui.core.reads import count_contacts
from crmtui.core.schemas import ContactFilter, ContactInput
from crmtui.core.search import matching_ids, search_all

PEOPLE = [
    ("Zoë Müller", "zoe@example.com"),
    ("José NÚÑEZ", "jose@beispiel.de"),
    ("Joanna Smith", "joanna@example.com"),
    ("Anna Łukasiewicz", "anna@example.org"),
]


@pytest.fixture
def people(db):
    with db.transaction(username="sam") as session:
        for name, email in PEOPLE:
            add_contact(session, ContactInput(name=name, emails=[email]))
    return db


def found(db, query):
    with db.session() as session:
        return sorted(r["name"] for r in search_all(session, query) if r["type"] == "contact")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("zoe", ["Zoë Müller"]),
        ("MULL", ["Zoë Müller"]),
        ("nunez jo", ["José NÚÑEZ"]),
        ("núñez", ["José NÚÑEZ"]),
        ("ann", ["Anna Łukasiewicz"]),  # a word prefix: not Joanna
        ("lukas", ["Anna Łukasiewicz"]),
        ("beispiel", ["José NÚÑEZ"]),
        ("example", ["Anna Łukasiewicz", "Joanna Smith", "Zoë Müller"]),
        ("nobody", []),
    ],
)
def test_search_is_case_accent_insensitive_and_matches_word_prefixes(people, query, names):
    assert found(people, query) == names


@pytest.mark.parametrize("few_matches", [2, 10_000])
def test_a_list_narrowed_by_a_search_holds_every_match_however_many(
    people, monkeypatch, few_matches
):
    monkeypatch.setattr(search, "FEW_MATCHES", few_matches)  # matches read first, or not
    with people.session() as session:
        page = list_contacts(session, ContactFilter(query="example"), sort="name")
        count = count_contacts(session, ContactFilter(query="example"))
        none = list_contacts(session, ContactFilter(query="nobody"))

    assert [row.display_name for row in page] == ["Anna Łukasiewicz", "Joanna Smith", "Zoë Müller"]
    assert count == 3
    assert none == []


@pytest.mark.postgres_only
def test_postgres_search_uses_the_word_index(people):
    with people.engine.begin() as connection:  # SET LOCAL needs a transaction
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        stmt = matching_ids(connection, "contact", "muller")
        compiled = stmt.compile(connection, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))

    assert "ix_contact_search_words" in plan
