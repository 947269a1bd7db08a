"""Keyset paging visits every contact exactly once, in order, whatever the sort."""

import pytest

from crmtui.core import contacts, interactions
from crmtui.core.schemas import ContactInput, InteractionInput
from crmtui.core.timeparse import parse_when


@pytest.mark.parametrize(
    "sort", ["name", "-name", "last_contacted", "-last_contacted", "id", "-id"]
)
def test_pages_cover_every_contact_once(db, sort):
    with db.transaction(username="sam") as session:
        for n in range(23):
            contact = contacts.add_contact(session, ContactInput(name=f"Person {n % 7}"))
            if n % 3:
                interactions.log_interaction(
                    session,
                    InteractionInput(contact=str(contact.id), kind="call", subject="hi",
                                     occurred_at=parse_when(f"2026-10-{1 + n % 5:02d}")),
                )  # fmt: skip

    seen, after = [], None
    with db.session() as session:
        everything = [c.id for c in contacts.list_contacts(session, sort=sort, limit=None)]
        while True:
            page = contacts.list_contacts(session, sort=sort, limit=4, after=after)
            if not page:
                break
            seen += [c.id for c in page]
            after = (contacts.sort_value(page[-1], sort), page[-1].id)

    assert seen == everything
    assert sorted(seen) == list(range(1, 24))
