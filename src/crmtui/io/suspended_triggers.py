"""SQLite's per-row triggers on new contacts, suspended for a big import and run in bulk."""

from crmtui.io.bulk import BulkWriter

# FTS5 writes a segment at the end of each statement (and per `hashsize` of pending terms), and
# merges `automerge` segments of a level at once: indexing a load in statements of CATCH_UP_ROWS
# with these takes a third of the time of 2000-row statements with the defaults, for an index
# that searches as fast or faster (a million contacts: 8.1 s -> 4.8 s at 20,000 rows and 16 MiB,
# 4.2 s at 100,000 and 64 MiB, no higher peak memory)
CATCH_UP_ROWS = 100_000
FTS_BULK_CONFIG = {"hashsize": 64 * 1024 * 1024, "automerge": 16}
FTS_DEFAULT_CONFIG = {"hashsize": 1024 * 1024, "automerge": 4}
# What the per-row SQLite triggers on a new contact do, for a range of ids at once.
CATCH_UP = {
    "contact_fts_ai": "INSERT INTO contact_fts (rowid, search_text) "
    "SELECT id, search_text FROM contact WHERE id BETWEEN ? AND ?",
    "contact_day_ai": "INSERT INTO contact_day (day, owner_key, stage, contacts) "
    "SELECT date(created_at), coalesce(owner_id, 0), coalesce(lifecycle_stage, ''), count(*) "
    "FROM contact WHERE id BETWEEN ? AND ? GROUP BY 1, 2, 3 "
    "ON CONFLICT (day, owner_key, stage) DO UPDATE SET "
    "contacts = contact_day.contacts + excluded.contacts",
}


class SuspendedTriggers:
    """Drop SQLite's per-row triggers on a new contact for the transaction; catch up on the new
    rows CATCH_UP_ROWS at a time, with FTS_BULK_CONFIG, until they are back.

    The full-text trigger costs about 25 us a row and the day count's about 3 us; one
    INSERT ... SELECT per range of new ids does the same work in a tenth of the time. The
    DROP is part of the transaction, so a failure or Ctrl-C brings them back with the rest.
    """

    def __init__(self, writer: BulkWriter) -> None:
        self.writer = writer
        self.dropped: dict[str, str] | None = None  # their SQL by name, while suspended
        self.uncaught: tuple[int, int] | None = None  # the new contact ids they missed

    def suspend(self) -> None:
        if self.dropped is not None:
            return
        if self.writer.dialect != "sqlite":
            self.dropped = {}
            return
        names = ", ".join(f"'{name}'" for name in CATCH_UP)
        self.dropped = dict(
            self.writer.query(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
            )
        )
        for name in self.dropped:
            self.writer.execute(f"DROP TRIGGER {name}")
        if "contact_fts_ai" in self.dropped:
            self._configure_fts(FTS_BULK_CONFIG)

    def added(self, first_id: int, last_id: int) -> None:
        """Contacts first_id..last_id were inserted (ids are the import's from the first
        uncaught one on: the write lock is held throughout)."""
        if not self.dropped:
            return
        start = first_id if self.uncaught is None else self.uncaught[0]
        self.uncaught = (start, last_id)
        if last_id - start >= CATCH_UP_ROWS:
            self.catch_up()

    def catch_up_before_updating(self, contact_ids) -> None:
        """Catch up first when one of these contacts is new: the update triggers take the old
        row out of the index and counts."""
        if self.uncaught and any(i >= self.uncaught[0] for i in contact_ids):
            self.catch_up()

    def catch_up(self) -> None:
        """Do for the contacts inserted since the last call what the suspended triggers do."""
        if self.uncaught is not None:
            for name in self.dropped:
                self.writer.execute(CATCH_UP[name], list(self.uncaught))
            self.uncaught = None

    def restore(self) -> None:
        if self.dropped:
            self.catch_up()
            if "contact_fts_ai" in self.dropped:
                # the defaults: FTS_BULK_CONFIG is for loads, a row at a time wants smaller segments
                self._configure_fts(FTS_DEFAULT_CONFIG)
            for sql in self.dropped.values():
                self.writer.execute(sql)
        self.dropped = None

    def _configure_fts(self, config: dict[str, int]) -> None:
        """Set the full-text index's options (kept in its config table, in the transaction)."""
        for key, value in config.items():
            self.writer.execute(
                "INSERT INTO contact_fts (contact_fts, rank) VALUES (?, ?)", [key, value]
            )
