"""On SQLite, a new record never takes the id of a deleted one, so undo and history stay its own."""

from sqlalchemy import event, inspect, text

# The records the audit log names by id (their deletes can be undone). SQLite gives a new row the
# highest id in its table plus one, so the newest record deleted would lend its id to the next;
# PostgreSQL's sequences never go back.
LOGGED_TABLES = ("contact", "company", "deal", "task", "interaction", "user")
NEXT_ID = (
    'SELECT max(coalesce((SELECT max(id) FROM "{table}"), 0), '
    "coalesce((SELECT max(entity_id) FROM change WHERE entity = '{table}'), 0)) + 1"
)


def next_id_sql(table: str) -> str:
    """SQLite: the first id after every id `table` holds and every one the audit log names."""
    if table not in LOGGED_TABLES:
        raise ValueError(f"{table} is not a logged table")
    return NEXT_ID.format(table=table)


def assign_ids_on_flush(session) -> None:
    """Give a SQLite session's new logged records ids after every id ever used, on each flush."""
    if session.get_bind().dialect.name == "sqlite":
        event.listen(session, "before_flush", _assign_ids)


def _assign_ids(session, _context, _instances) -> None:
    pending: dict[str, list] = {}
    for record in session.new:
        table = getattr(record, "__tablename__", None)
        if table in LOGGED_TABLES and getattr(record, "id", None) is None:
            pending.setdefault(table, []).append(record)
    if not pending:
        return
    connection = session.connection()  # not session.execute: that would flush again
    for table, records in pending.items():
        first = connection.execute(text(next_id_sql(table))).scalar_one()
        # in the order they were added, as SQLite would have numbered them
        records.sort(key=lambda record: inspect(record).insert_order)
        for offset, record in enumerate(records):
            record.id = first + offset
