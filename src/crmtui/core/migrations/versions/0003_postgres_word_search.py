"""PostgreSQL: a word index for search, so prefix matches are indexed like SQLite's FTS5.

It replaces the trigram index of 0001, which no query uses any more and which slowed every write.
The expression must stay the same as `crmtui.core.search.POSTGRES_WORDS`; SQLite is unchanged.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEARCHED_TABLES = ("contact", "company", "deal")
WORDS = (
    "to_tsvector('simple', regexp_replace({table}.search_text, '[[:space:][:punct:]]+', ' ', 'g'))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHED_TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        op.execute(
            f"CREATE INDEX ix_{table}_search_words ON {table} "
            f"USING gin (({WORDS.format(table=table)}))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHED_TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_words")
        op.execute(
            f"CREATE INDEX ix_{table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
        )
