"""Reports: interactions counted per UTC day, kind and user, kept by triggers.

A month's interactions by kind and user are then the counts of its whole days plus the
interactions of the part-days at its ends (a local month starts at local midnight): a few hundred
rows, where counting the month's interactions read every one of them. Triggers keep the counts
in the same transaction as every write, whichever path makes it (logging, imports, undo, the
deletes a contact's delete takes with it, copies). It is derived data, not a model: `crm db copy`
leaves it to the target's triggers.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPSERT = (
    " ON CONFLICT (day, kind, user_key) DO UPDATE SET "
    "interactions = interaction_day.interactions + excluded.interactions"
)
FIELDS = ("kind", "user_id", "occurred_at")


def count(dialect: str, sign: int, row: str) -> str:
    """Add `sign` to the count of the interaction `row` (NEW or OLD)."""
    day = f"date({row}.occurred_at)" if dialect == "sqlite" else f"CAST({row}.occurred_at AS date)"
    return (
        "INSERT INTO interaction_day (day, kind, user_key, interactions) "
        f"VALUES ({day}, {row}.kind, coalesce({row}.user_id, 0), {sign}){UPSERT}"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "CREATE TABLE interaction_day ("
        "day DATE NOT NULL, kind VARCHAR NOT NULL, user_key INTEGER NOT NULL, "
        "interactions INTEGER NOT NULL, PRIMARY KEY (day, kind, user_key))"
        + (" WITHOUT ROWID" if dialect == "sqlite" else "")
    )
    if dialect == "sqlite":
        changed = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in FIELDS)
        statements = [
            "CREATE TRIGGER interaction_day_ai AFTER INSERT ON interaction BEGIN "
            f"{count(dialect, 1, 'NEW')}; END",
            "CREATE TRIGGER interaction_day_ad AFTER DELETE ON interaction BEGIN "
            f"{count(dialect, -1, 'OLD')}; END",
            f"CREATE TRIGGER interaction_day_au AFTER UPDATE OF {', '.join(FIELDS)} ON interaction "
            f"WHEN {changed} BEGIN {count(dialect, -1, 'OLD')}; {count(dialect, 1, 'NEW')}; END",
        ]
    else:
        changed = " OR ".join(f"OLD.{f} IS DISTINCT FROM NEW.{f}" for f in FIELDS)
        statements = [
            "CREATE FUNCTION interaction_day_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {count(dialect, -1, 'OLD')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {count(dialect, 1, 'NEW')}; END IF; "
            "RETURN NULL; END $$",
            "CREATE TRIGGER interaction_day_insert_delete AFTER INSERT OR DELETE ON interaction "
            "FOR EACH ROW EXECUTE FUNCTION interaction_day_count()",
            f"CREATE TRIGGER interaction_day_update AFTER UPDATE OF {', '.join(FIELDS)} "
            f"ON interaction FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION interaction_day_count()",
        ]
    for statement in statements:
        op.execute(statement)
    day = "date(occurred_at)" if dialect == "sqlite" else "CAST(occurred_at AS date)"
    op.execute(
        "INSERT INTO interaction_day (day, kind, user_key, interactions) "
        f"SELECT {day}, kind, coalesce(user_id, 0), count(*) FROM interaction "
        "GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER interaction_day_{name}")
    else:
        for name in ("insert_delete", "update"):
            op.execute(f"DROP TRIGGER interaction_day_{name} ON interaction")
        op.execute("DROP FUNCTION interaction_day_count()")
    op.execute("DROP TABLE interaction_day")
