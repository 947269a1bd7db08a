"""PostgreSQL: the pipeline's daily flow is kept once per statement over its moves, not per move.

Migration 0009's row trigger on `deal_stage_change` ran one upsert per move: a COPY of many
moves (`crm db copy`, `crm import deals`, `crm demo`) paid it per row. Statement triggers over
transition tables (one per event, as PostgreSQL requires) add a statement's moves' flow in one
grouped upsert instead, with each deal's current owner, currency and amount as before. A deal's
delete still takes its moves first in its BEFORE DELETE trigger: the statement trigger on those
moves fires at the end of that inner DELETE, while the deal is still there to read. SQLite keeps
its row triggers (it has no statement triggers): nothing to do there.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPSERT = (
    "INSERT INTO pipeline_flow (day, owner_key, stage_id, currency, deals, units) "
    "SELECT day, owner_key, stage_id, currency, sum(deals), sum(units) FROM ({}) AS flow "
    "GROUP BY day, owner_key, stage_id, currency HAVING sum(deals) <> 0 OR sum(units) <> 0 "
    "ON CONFLICT (stage_id, currency, owner_key, day) DO UPDATE SET "
    "deals = pipeline_flow.deals + excluded.deals, units = pipeline_flow.units + excluded.units"
)


def moves(sign: int, move: str, source: str, condition: str) -> str:
    """`sign` times the flow of the moves `move` read FROM `source` WHERE `condition`, each
    with its deal `d`: into `to_stage_id`, and out of `from_stage_id` (none for a creation)."""
    return (
        f"SELECT CAST({move}.changed_at AS date) AS day, coalesce(d.owner_id, 0) AS owner_key, "
        "side.stage_id, d.currency AS currency, side.deals, side.deals * d.amount_units AS units "
        f"FROM {source} CROSS JOIN LATERAL (VALUES ({move}.to_stage_id, {sign}), "
        f"({move}.from_stage_id, {-sign})) AS side (stage_id, deals) "
        f"WHERE {condition} AND side.stage_id IS NOT NULL"
    )


def changed_moves(*sides: tuple[int, str]) -> str:
    """Add the flow of the moves in each transition table, `sign` times, in one upsert."""
    return UPSERT.format(
        " UNION ALL ".join(
            moves(sign, "m", f"{rows} m JOIN deal d ON d.id = m.deal_id", "true")
            for sign, rows in sides
        )
    )


def function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{body} RETURN NULL; END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER pipeline_flow_move ON deal_stage_change")
    op.execute("DROP FUNCTION pipeline_flow_move()")
    op.execute(
        function(
            "pipeline_flow_moves",
            f"IF TG_OP = 'INSERT' THEN {changed_moves((1, 'new_rows'))}; "
            f"ELSIF TG_OP = 'DELETE' THEN {changed_moves((-1, 'old_rows'))}; "
            f"ELSE {changed_moves((-1, 'old_rows'), (1, 'new_rows'))}; END IF;",
        )
    )
    for event, tables in (
        ("insert", "NEW TABLE AS new_rows"),
        ("delete", "OLD TABLE AS old_rows"),
        ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER pipeline_flow_moves_{event} AFTER {event.upper()} "
            f"ON deal_stage_change REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION pipeline_flow_moves()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER pipeline_flow_moves_{event} ON deal_stage_change")
    op.execute("DROP FUNCTION pipeline_flow_moves()")

    def move(sign: int, row: str) -> str:
        return UPSERT.format(moves(sign, row, "deal d", f"d.id = {row}.deal_id"))

    op.execute(
        function(
            "pipeline_flow_move",
            f"IF TG_OP <> 'INSERT' THEN {move(-1, 'OLD')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {move(1, 'NEW')}; END IF;",
        )
    )
    op.execute(
        "CREATE TRIGGER pipeline_flow_move AFTER INSERT OR UPDATE OR DELETE ON deal_stage_change "
        "FOR EACH ROW EXECUTE FUNCTION pipeline_flow_move()"
    )
