"""Full-text search over contacts, companies and deals; the one place knowing each index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ARRAY,
    Integer,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import Connection

from crmtui.core.text import search_tokens

if TYPE_CHECKING:
    from sqlmodel import Session

# The bare tables, not the models: a search then starts without building the ORM classes.
TABLES = {
    entity: table(entity, column("id", Integer), column("search_text"))
    for entity in ("contact", "company", "deal")
}


def _fts_query(tokens: list[str]) -> str:
    return " ".join(f'"{token}"*' for token in tokens)


def dialect_name(reader: Session | Connection) -> str:
    """The kind of database behind a session or a connection: sqlite, postgresql."""
    return (reader if isinstance(reader, Connection) else reader.get_bind()).dialect.name


def matching_ids(session: Session | Connection, entity: str, query: str):
    """A selectable of the ids of `entity` rows matching every word of the query (as prefixes)."""
    columns = TABLES[entity].c
    tokens = search_tokens(query)
    if not tokens:
        return select(columns.id)
    if dialect_name(session) == "sqlite":
        return (
            select(literal_column("rowid"))
            .select_from(text(f"{entity}_fts"))
            .where(text(f"{entity}_fts MATCH :fts_query").bindparams(fts_query=_fts_query(tokens)))
        )
    # Migration 0003 indexes exactly this expression; each query word is a word prefix, as in
    # SQLite's FTS5 (`ann` finds Anna, not Joanna).
    words = literal_column(POSTGRES_WORDS.format(table=entity))
    prefixes = " & ".join(f"{part}:*" for token in tokens for part in token.split("_") if part)
    return select(columns.id).where(
        words.op("@@")(func.to_tsquery(literal_column("'simple'"), prefixes))
    )


# Up to this many matching ids are read and passed back as one array (below)
FEW_MATCHES = 10_000


def matching_condition(session: Session | Connection, id_column, entity: str, query: str):
    """A WHERE condition keeping the rows of `entity` (`id_column` its id) matching the query.

    On PostgreSQL the matching ids are read first and passed as one array when there are fewer
    than FEW_MATCHES. Left to plan `id IN (matches)`, its planner walks a list's sort index and
    recomputes each row's indexed words, a cost it puts far too low: among 100,000 contacts
    `smith` took 0.34 s and `zoe` 1.5 s (its matches all sort last), 5 and 14 ms read this way
    (SQLite: 3 and 5 ms). More matches are dense enough for the walk to meet a page of them soon.
    """
    ids = few_matching_ids(session, entity, query)
    if ids is not None:
        return id_column == any_(bindparam("matching_ids", ids, type_=ARRAY(Integer), unique=True))
    return id_column.in_(matching_ids(session, entity, query))


def few_matching_ids(session: Session | Connection, entity: str, query: str) -> list[int] | None:
    """On PostgreSQL, the ids of the rows matching the query if fewer than FEW_MATCHES do."""
    if dialect_name(session) != "postgresql":
        return None
    ids = list(session.scalars(matching_ids(session, entity, query).limit(FEW_MATCHES)))
    return ids if len(ids) < FEW_MATCHES else None


POSTGRES_WORDS = (
    "to_tsvector('simple', regexp_replace({table}.search_text, '[[:space:][:punct:]]+', ' ', 'g'))"
)


RANKED_MATCHES = 1000
SEARCH_PAGE = 1000


def ranked_ids(session: Session | Connection, entity: str, query: str, limit: int) -> list[int]:
    """Ids of the best matches first: bm25 on SQLite; on PostgreSQL, texts starting with the
    first word, then the shortest (close to bm25 for names, and 7x cheaper than trigram
    similarity over every match).

    A query matching more than RANKED_MATCHES rows (one common surname in a million
    contacts) returns them in id order: ranking scores every match, which costs more than the
    20 ms a keystroke may take, and among thousands of equal one-word matches it says little.
    """
    tokens = search_tokens(query)
    if not tokens:
        return []
    if dialect_name(session) == "sqlite":
        params = {"q": _fts_query(tokens), "limit": limit, "cap": RANKED_MATCHES}
        matches = session.execute(
            text(
                f"SELECT count(*) FROM (SELECT 1 FROM {entity}_fts "
                f"WHERE {entity}_fts MATCH :q LIMIT :cap)"
            ),
            params,
        ).scalar()
        order = "" if matches >= RANKED_MATCHES else "ORDER BY rank"
        rows = session.execute(
            text(
                f"SELECT rowid FROM {entity}_fts WHERE {entity}_fts MATCH :q {order} LIMIT :limit"
            ),
            params,
        )
        return [row[0] for row in rows]
    # One statement counts the matches (up to the cap) and ranks them: a round trip and an index
    # search fewer than counting first, and when fewer match than the cap the ranking is right.
    columns = TABLES[entity].c
    found = (
        matching_ids(session, entity, query)
        .add_columns(columns.search_text)
        .limit(RANKED_MATCHES)
        .subquery()
    )
    ranked = (
        select(found.c.id, func.count().over())
        .order_by(
            func.starts_with(found.c.search_text, tokens[0]).desc(),
            func.length(found.c.search_text),
            found.c.id,
        )
        .limit(limit)
    )
    rows = session.execute(ranked).all()
    if not rows or rows[0][1] < RANKED_MATCHES:
        return [row[0] for row in rows]
    # as on SQLite: a broad query lists in id order rather than ranking every match
    stmt = matching_ids(session, entity, query).order_by(columns.id).limit(limit)
    return list(session.scalars(stmt))


def contact_names(
    session: Session | Connection, query: str, limit: int = 10
) -> list[tuple[int, str, str]]:
    """(id, name, email) of the best matching contacts: a light lookup for pickers."""
    from crmtui.core.reads import records

    ids = ranked_ids(session, "contact", query, limit)
    return [(row.id, row.display_name, row.email or "") for row in records(session, "contact", ids)]


def search_all(session: Session | Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Contacts, companies and deals matching the query, as plain rows with a `type`."""
    from crmtui.core.reads import company_rows, contact_rows, deal_rows, records

    results: list[dict[str, Any]] = []
    builders = {"contact": contact_rows, "company": company_rows, "deal": deal_rows}
    for entity, build in builders.items():
        if len(results) >= limit:
            break
        ids = ranked_ids(session, entity, query, limit - len(results))
        if not ids:
            continue
        for row in build(session, records(session, entity, ids)):
            results.append({"type": entity, **row})
    return results


def every_match(session: Session | Connection, query: str) -> Iterator[dict[str, Any]]:
    """Every contact, company and deal matching the query, in that order and each by id, read
    SEARCH_PAGE at a time (a broad query over a million contacts is never held whole, nor
    ranked: scoring every match would cost more than it tells)."""
    from crmtui.core.reads import company_rows, contact_rows, deal_rows, records

    if not search_tokens(query):
        return
    builders = {"contact": contact_rows, "company": company_rows, "deal": deal_rows}
    for entity, build in builders.items():
        found = matching_ids(session, entity, query)
        ident = found.selected_columns[0]
        last = 0
        while True:
            page = found.where(ident > last).order_by(ident).limit(SEARCH_PAGE)
            ids = list(session.scalars(page))
            for row in build(session, records(session, entity, ids)) if ids else ():
                yield {"type": entity, **row}
            if len(ids) < SEARCH_PAGE:
                break
            last = ids[-1]


def match_count(session: Session | Connection, entity: str, query: str, cap: int) -> int:
    """How many rows match, counting no further than `cap` (cheap for a broad query)."""
    found = matching_ids(session, entity, query).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(found))
