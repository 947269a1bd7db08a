"""A big import on PostgreSQL leaves the search index merged and the statistics fresh."""

import pytest
from sqlalchemy import text

from crmtui.core.db import Database


@pytest.mark.postgres_only
def test_a_big_import_leaves_nothing_pending_for_searches(crm, tmp_path, database_url):
    rows = "".join(f"Person {n},person{n}@example.com\n" for n in range(1200))
    (tmp_path / "people.csv").write_text("name,email\n" + rows)

    crm.ok("import", "contacts", str(tmp_path / "people.csv"))

    db = Database(database_url)
    with db.session() as session:
        leftover = session.execute(
            text("SELECT gin_clean_pending_list('ix_contact_search_words'::regclass)")
        ).scalar()
    db.dispose()
    assert leftover == 0
    assert len(crm.json("search", "person1199")) == 1
