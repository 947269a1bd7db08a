"""Reports: the pipeline's daily flow, kept by triggers, so the pipeline at a past instant is a sum.

`pipeline_flow` holds, per UTC day, owner, stage and currency, how many deals entered the stage
minus how many left it, and their amounts (each deal's current amount, as the report counts
them). A deal's creation is a move into its first stage, so the pipeline at an instant is the
flow of the days before it plus the moves of its day up to it: a few thousand rows whatever the
history holds, where walking every move back from today read all the moves since. The key
starts with what the report groups by, so the sum needs no sorting.

Triggers keep it in the same transaction as every write, whichever path makes it (services,
imports, undo, copies): a move added, removed or changed; a deal's owner, currency or amount
changed (its moves count again with the new values); a deal deleted (its moves go first, each
taking its flow with it). It is derived data, not a model: `crm db copy` leaves it to the
target's triggers.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INSERT = "INSERT INTO pipeline_flow (day, owner_key, stage_id, currency, deals, units) "
UPSERT = (
    " ON CONFLICT (stage_id, currency, owner_key, day) DO UPDATE SET "
    "deals = pipeline_flow.deals + excluded.deals, units = pipeline_flow.units + excluded.units"
)
DEAL_CHANGED = "OLD.{0} IS {1} NEW.{0}"
FLOW_COLUMNS = ("owner_id", "currency", "amount_units")


def flow(dialect: str, sign: int, move: str, deal: str, source: str) -> str:
    """Add `sign` times the flow of the moves `move` of deals `deal` read FROM `source`.

    A move takes its deal into `to_stage_id` and out of `from_stage_id` (none for a creation).
    `source` ends in a WHERE clause; SQLite's upsert needs one after a SELECT.
    """
    day = f"date({move}.changed_at)" if dialect == "sqlite" else f"CAST({move}.changed_at AS date)"
    side = (
        f"SELECT {day} AS day, coalesce({deal}.owner_id, 0) AS owner_key, {move}.{{stage}} "
        f"AS stage_id, {deal}.currency AS currency, {{sign}} AS deals, "
        f"{{sign}} * {deal}.amount_units AS units {source}"
    )
    into = side.format(stage="to_stage_id", sign=sign)
    out = side.format(stage="from_stage_id", sign=-sign) + f" AND {move}.from_stage_id IS NOT NULL"
    return (
        f"{INSERT}SELECT day, owner_key, stage_id, currency, sum(deals), sum(units) "
        f"FROM ({into} UNION ALL {out}) AS flow WHERE true "
        f"GROUP BY day, owner_key, stage_id, currency{UPSERT}"
    )


def move_flow(dialect: str, sign: int, row: str) -> str:
    """The flow of one move (NEW or OLD), with its deal's current values."""
    return flow(dialect, sign, row, "d", f"FROM deal d WHERE d.id = {row}.deal_id")


def deal_flow(dialect: str, sign: int, row: str) -> str:
    """The flow of every move of one deal, with the deal's values in `row` (NEW or OLD)."""
    return flow(dialect, sign, "m", row, f"FROM deal_stage_change m WHERE m.deal_id = {row}.id")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "CREATE TABLE pipeline_flow ("
        "day DATE NOT NULL, owner_key INTEGER NOT NULL, stage_id INTEGER NOT NULL, "
        "currency VARCHAR(3) NOT NULL, deals INTEGER NOT NULL, units BIGINT NOT NULL, "
        "PRIMARY KEY (stage_id, currency, owner_key, day))"
        + (" WITHOUT ROWID" if dialect == "sqlite" else "")
    )
    for statement in _sqlite_triggers() if dialect == "sqlite" else _postgres_triggers():
        op.execute(statement)
    op.execute(
        flow(dialect, 1, "m", "d", "FROM deal_stage_change m JOIN deal d ON d.id = m.deal_id "
             "WHERE true")
    )  # fmt: skip


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(DEAL_CHANGED.format(c, "NOT") for c in FLOW_COLUMNS)
    return [
        "CREATE TRIGGER pipeline_flow_move_ai AFTER INSERT ON deal_stage_change BEGIN "
        f"{move_flow('sqlite', 1, 'NEW')}; END",
        "CREATE TRIGGER pipeline_flow_move_ad AFTER DELETE ON deal_stage_change BEGIN "
        f"{move_flow('sqlite', -1, 'OLD')}; END",
        "CREATE TRIGGER pipeline_flow_move_au AFTER UPDATE ON deal_stage_change BEGIN "
        f"{move_flow('sqlite', -1, 'OLD')}; {move_flow('sqlite', 1, 'NEW')}; END",
        "CREATE TRIGGER pipeline_flow_deal_au AFTER UPDATE OF owner_id, currency, amount_units "
        f"ON deal WHEN {changed} BEGIN "
        f"{deal_flow('sqlite', -1, 'OLD')}; {deal_flow('sqlite', 1, 'NEW')}; END",
        "CREATE TRIGGER pipeline_flow_deal_bd BEFORE DELETE ON deal BEGIN "
        "DELETE FROM deal_stage_change WHERE deal_id = OLD.id; END",
    ]


def _postgres_triggers() -> list[str]:
    changed = " OR ".join(DEAL_CHANGED.format(c, "DISTINCT FROM") for c in FLOW_COLUMNS)

    def function(name: str, body: str, result: str = "NULL") -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body} RETURN {result}; END $$"
        )

    return [
        function(
            "pipeline_flow_move",
            f"IF TG_OP <> 'INSERT' THEN {move_flow('postgresql', -1, 'OLD')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {move_flow('postgresql', 1, 'NEW')}; END IF;",
        ),
        "CREATE TRIGGER pipeline_flow_move AFTER INSERT OR UPDATE OR DELETE ON deal_stage_change "
        "FOR EACH ROW EXECUTE FUNCTION pipeline_flow_move()",
        function(
            "pipeline_flow_deal",
            f"{deal_flow('postgresql', -1, 'OLD')}; {deal_flow('postgresql', 1, 'NEW')};",
        ),
        "CREATE TRIGGER pipeline_flow_deal AFTER UPDATE OF owner_id, currency, amount_units "
        f"ON deal FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION pipeline_flow_deal()",
        function(
            "pipeline_flow_deal_deleted",
            "DELETE FROM deal_stage_change WHERE deal_id = OLD.id;",
            "OLD",
        ),
        "CREATE TRIGGER pipeline_flow_deal_deleted BEFORE DELETE ON deal "
        "FOR EACH ROW EXECUTE FUNCTION pipeline_flow_deal_deleted()",
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("move_ai", "move_ad", "move_au", "deal_au", "deal_bd"):
            op.execute(f"DROP TRIGGER pipeline_flow_{name}")
    else:
        for table, name in (
            ("deal_stage_change", "pipeline_flow_move"),
            ("deal", "pipeline_flow_deal"),
            ("deal", "pipeline_flow_deal_deleted"),
        ):
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP TABLE pipeline_flow")
