"""What the global options chose for this invocation: the database, the acting user, CSV cells."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmtui.core.db import Database
    from crmtui.core.schemas import ContactFilter


@dataclass
class Invocation:
    db_path: str | None = None
    user: str | None = None
    database: "Database | None" = None
    # cells starting with = + - @ neutralised in every CSV written (--no-escape-formulas: not)
    escape_formulas: bool = True


state = Invocation()


def reset(db_path: str | None, user: str | None, escape_formulas: bool = True) -> None:
    if state.database is not None:
        state.database.dispose()
    state.db_path, state.user, state.database = db_path, user, None
    state.escape_formulas = escape_formulas


def database() -> "Database":
    """The database chosen by --db, CRM_DB or CRM_DATABASE_URL, opened and migrated once."""
    if state.database is None:
        from crmtui.core.db import Database, resolve_url

        state.database = Database(resolve_url(state.db_path))
    return state.database


def owner_filter(owner: str | None, mine: bool) -> str | None:
    """The owner a listing narrows to: --mine, or --owner, which must name a user (a typo
    would list nothing, and export an empty file)."""
    if mine:
        return username()
    if owner:
        from crmtui.core.errors import NotFound
        from crmtui.core.reads import user_ids

        with database().connection() as connection:
            if not user_ids(connection, owner):
                raise NotFound(f"no user named {owner!r}")
    return owner


def with_segment(segment: str | None, filters: "ContactFilter") -> "ContactFilter":
    """`--segment NAME`'s saved filter, each option given beside it taking its field's place."""
    if not segment:
        return filters
    from crmtui.core.segments import segment_filter

    with database().session() as session:
        return segment_filter(session, segment, filters)


def username() -> str:
    from crmtui.core.users import current_username

    return current_username(state.user)
