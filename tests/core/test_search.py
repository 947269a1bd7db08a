"""Search ranking: best matches first, id order once a query matches very many rows."""

from crmtui.core import contacts, search
from crmtui.core.schemas import ContactInput


def add_people(db, names):
    with db.transaction(username="sam") as session:
        for name in names:
            contacts.add_contact(session, ContactInput(name=name))


def test_few_matches_are_ranked_by_relevance(db):
    add_people(db, ["Anna Smith-Jones of the Long Company Name Ltd", "Smith"])

    with db.session() as session:
        names = [row["name"] for row in search.search_all(session, "smith")]

    assert names == ["Smith", "Anna Smith-Jones of the Long Company Name Ltd"]


def test_very_many_matches_come_back_in_id_order(db, monkeypatch):
    monkeypatch.setattr(search, "RANKED_MATCHES", 3)
    add_people(
        db, ["Anna Smith-Jones of the Long Company Name Ltd", "Smith", "Bo Smith", "Cy Smith"]
    )

    with db.session() as session:
        ids = [row["id"] for row in search.search_all(session, "smith", limit=3)]

    assert ids == [1, 2, 3]


def test_search_stops_once_the_limit_is_filled_by_contacts(db):
    add_people(db, ["Engine Person", "Engine Other"])
    with db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Third", company="Engines Ltd"))

    with db.session() as session:
        types = [row["type"] for row in search.search_all(session, "engine", limit=3)]

    assert types == ["contact", "contact", "contact"]


def test_contact_names_for_pickers(db):
    with db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Zoë Núñez", emails=["zoe@example.org"]))
        contacts.add_contact(session, ContactInput(name="Ada Lovelace"))

    with db.session() as session:
        assert search.contact_names(session, "nunez") == [(1, "Zoë Núñez", "zoe@example.org")]
        assert search.contact_names(session, "nobody") == []
