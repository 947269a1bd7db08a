"""Derived tables counting a table's rows per UTC day and a few keys, kept by triggers."""

from dataclasses import dataclass

from alembic import op


@dataclass(frozen=True)
class DayCounts:
    """`name` counts the rows of `source` per UTC day of `when` and per `keys`.

    `keys` maps each key column of `name` to its expression over a row of `source` (`{row}`
    stands for NEW or OLD); `count` names the count column. `watched` are the source columns
    whose update moves a row from one count to another (SQLite's row triggers wait for those).
    """

    name: str
    source: str
    when: str
    keys: dict[str, str]
    count: str
    watched: tuple[str, ...]

    def day(self, dialect: str, row: str) -> str:
        column = f"{row}.{self.when}" if row else self.when
        return f"date({column})" if dialect == "sqlite" else f"CAST({column} AS date)"

    def add(self, dialect: str, sign: int, row: str) -> str:
        """SQLite: add `sign` to the count of the source row `row` (NEW or OLD)."""
        keys = ", ".join(expression.format(row=f"{row}.") for expression in self.keys.values())
        return (
            f"INSERT INTO {self.name} (day, {', '.join(self.keys)}, {self.count}) "
            f"VALUES ({self.day(dialect, row)}, {keys}, {sign}) "
            f"ON CONFLICT (day, {', '.join(self.keys)}) DO UPDATE SET "
            f"{self.count} = {self.name}.{self.count} + excluded.{self.count}"
        )

    def create(self, column_types: dict[str, str]) -> None:
        """The table, its triggers, and the counts of the rows already there."""
        dialect = op.get_bind().dialect.name
        columns = ", ".join(f"{key} {column_types[key]} NOT NULL" for key in self.keys)
        op.execute(
            f"CREATE TABLE {self.name} (day DATE NOT NULL, {columns}, "
            f"{self.count} INTEGER NOT NULL, PRIMARY KEY (day, {', '.join(self.keys)}))"
            + (" WITHOUT ROWID" if dialect == "sqlite" else "")
        )
        for statement in self._triggers(dialect):
            op.execute(statement)
        keys = ", ".join(expression.format(row="") for expression in self.keys.values())
        positions = ", ".join(str(i) for i in range(1, len(self.keys) + 2))
        op.execute(
            f"INSERT INTO {self.name} (day, {', '.join(self.keys)}, {self.count}) "
            f"SELECT {self.day(dialect, '')}, {keys}, count(*) FROM {self.source} "
            f"GROUP BY {positions}"
        )

    def _triggers(self, dialect: str) -> list[str]:
        name, source, watched = self.name, self.source, ", ".join(self.watched)
        if dialect == "sqlite":
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in self.watched)
            return [
                f"CREATE TRIGGER {name}_ai AFTER INSERT ON {source} BEGIN "
                f"{self.add(dialect, 1, 'NEW')}; END",
                f"CREATE TRIGGER {name}_ad AFTER DELETE ON {source} BEGIN "
                f"{self.add(dialect, -1, 'OLD')}; END",
                f"CREATE TRIGGER {name}_au AFTER UPDATE OF {watched} ON {source} "
                f"WHEN {changed} BEGIN {self.add(dialect, -1, 'OLD')}; "
                f"{self.add(dialect, 1, 'NEW')}; END",
            ]
        # PostgreSQL: once per statement, over the rows it changed (a COPY of a whole batch is
        # one statement), where a trigger per row would cost more than the rows themselves.
        return [
            f"CREATE FUNCTION {name}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {self.add_rows(1, 'new_rows')}; "
            f"ELSIF TG_OP = 'DELETE' THEN {self.add_rows(-1, 'old_rows')}; "
            f"ELSE {self.add_rows(-1, 'old_rows', 1, 'new_rows')}; END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} REFERENCING NEW TABLE AS "
            f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_count()",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} REFERENCING OLD TABLE AS "
            f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_count()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} REFERENCING OLD TABLE AS "
            f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_count()",
        ]

    def add_rows(self, sign: int, rows: str, other_sign: int = 0, other_rows: str = "") -> str:
        """PostgreSQL: add `sign` per row of the transition table `rows` (and `other_sign` per
        row of `other_rows`) to their counts, grouped first; counts that do not change are left."""
        keys = ", ".join(f"{e.format(row='r.')} AS {k}" for k, e in self.keys.items())
        sides = [(sign, rows)] + ([(other_sign, other_rows)] if other_rows else [])
        union = " UNION ALL ".join(
            f"SELECT {self.day('postgresql', 'r')} AS day, {keys}, {s} AS n FROM {t} r"
            for s, t in sides
        )
        columns = ", ".join(self.keys)
        return (
            f"INSERT INTO {self.name} (day, {columns}, {self.count}) "
            f"SELECT day, {columns}, sum(n) FROM ({union}) AS changed "
            f"GROUP BY day, {columns} HAVING sum(n) <> 0 "
            f"ON CONFLICT (day, {columns}) DO UPDATE SET "
            f"{self.count} = {self.name}.{self.count} + excluded.{self.count}"
        )

    def drop(self) -> None:
        if op.get_bind().dialect.name == "sqlite":
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {self.name}_{suffix}")
        else:
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {self.name}_{suffix} ON {self.source}")
            op.execute(f"DROP FUNCTION {self.name}_count()")
        op.execute(f"DROP TABLE {self.name}")
