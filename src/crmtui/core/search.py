"""Full-text search over contacts, companies and deals; the one place knowing each index."""

from typing import Any

from sqlalchemy import func, literal_column, select, text
from sqlmodel import Session

from crmtui.core.models import Company, Contact, Deal
from crmtui.core.text import search_tokens

MODELS = {"contact": Contact, "company": Company, "deal": Deal}


def _fts_query(tokens: list[str]) -> str:
    return " ".join(f'"{token}"*' for token in tokens)


def matching_ids(session: Session, entity: str, query: str):
    """A selectable of the ids of `entity` rows matching every word of the query (as prefixes)."""
    model = MODELS[entity]
    tokens = search_tokens(query)
    if not tokens:
        return select(model.id)
    if session.get_bind().dialect.name == "sqlite":
        return (
            select(literal_column("rowid"))
            .select_from(text(f"{entity}_fts"))
            .where(text(f"{entity}_fts MATCH :fts_query").bindparams(fts_query=_fts_query(tokens)))
        )
    # Migration 0003 indexes exactly this expression; each query word is a word prefix, as in
    # SQLite's FTS5 (`ann` finds Anna, not Joanna).
    words = literal_column(POSTGRES_WORDS.format(table=entity))
    prefixes = " & ".join(f"{part}:*" for token in tokens for part in token.split("_") if part)
    return select(model.id).where(
        words.op("@@")(func.to_tsquery(literal_column("'simple'"), prefixes))
    )


POSTGRES_WORDS = (
    "to_tsvector('simple', regexp_replace({table}.search_text, '[[:space:][:punct:]]+', ' ', 'g'))"
)


RANKED_MATCHES = 1000


def ranked_ids(session: Session, entity: str, query: str, limit: int) -> list[int]:
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
    if session.get_bind().dialect.name == "sqlite":
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
    model = MODELS[entity]
    stmt = matching_ids(session, entity, query)
    if match_count(session, entity, query, RANKED_MATCHES) < RANKED_MATCHES:
        stmt = stmt.order_by(
            func.starts_with(model.search_text, tokens[0]).desc(),
            func.length(model.search_text),
            model.id,
        )
    else:  # as on SQLite: a broad query lists in id order rather than ranking every match
        stmt = stmt.order_by(model.id)
    return list(session.scalars(stmt.limit(limit)))


def contact_names(session: Session, query: str, limit: int = 10) -> list[tuple[int, str, str]]:
    """(id, name, email) of the best matching contacts: a light lookup for pickers."""
    ids = ranked_ids(session, "contact", query, limit)
    if not ids:
        return []
    rows = session.execute(
        select(Contact.id, Contact.display_name, Contact.email).where(Contact.id.in_(ids))
    )
    found = {row.id: row for row in rows}
    return [(i, found[i].display_name, found[i].email or "") for i in ids if i in found]


def search_all(session: Session, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Contacts, companies and deals matching the query, as plain rows with a `type`."""
    from crmtui.core.companies import company_rows
    from crmtui.core.contacts import contact_rows
    from crmtui.core.deals import deal_rows

    results: list[dict[str, Any]] = []
    builders = {"contact": contact_rows, "company": company_rows, "deal": deal_rows}
    for entity, build in builders.items():
        if len(results) >= limit:
            break
        ids = ranked_ids(session, entity, query, limit - len(results))
        if not ids:
            continue
        model = MODELS[entity]
        by_id = {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))}
        records = [by_id[i] for i in ids if i in by_id]
        for row in build(session, records):
            results.append({"type": entity, **row})
    return results


def match_count(session: Session, entity: str, query: str, cap: int) -> int:
    """How many rows match, counting no further than `cap` (cheap for a broad query)."""
    found = matching_ids(session, entity, query).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(found))
