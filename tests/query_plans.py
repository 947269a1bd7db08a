"""The SQLite query plans of the SELECTs a piece of code runs."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def query_plans(session, table: str):
    """Collects, into the list it yields, each plan step of the SELECTs from `table` run inside."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            statements.append((statement, parameters))

    event.listen(session.bind, "before_cursor_execute", remember)
    plans: list[str] = []
    try:
        yield plans
    finally:
        event.remove(session.bind, "before_cursor_execute", remember)
    connection = session.connection().connection.driver_connection
    for statement, parameters in statements:
        plans += [
            row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
