"""SQLite search: FTS5 prefix indexes for one- and two-letter words.

A query such as `ma*` otherwise merges the doclists of every word starting with "ma" (25 ms on a
million contacts, more than a keystroke may take); with `prefix='1 2'` it is a single lookup. The
tables are rebuilt from `search_text`; their triggers name them and keep working. PostgreSQL's
word index needs nothing.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEARCHED_TABLES = ("contact", "company", "deal")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHED_TABLES:
        fts = f"{table}_fts"
        op.execute(f"DROP TABLE {fts}")
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2')"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
