"""The pipeline board: open deals of one pipeline by stage, with per-currency totals."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from crmtui.core.models import Company, Deal, Stage
from crmtui.core.money import format_amount
from crmtui.core.pipelines import get_pipeline, list_pipelines, stages_of


def pipeline_board(
    session: Session, pipeline_ref: str | int | None = None, *, per_column: int = 50
) -> dict[str, Any]:
    """Columns for the open stages: the first `per_column` cards (see `stage_cards`), exact totals.

    Totals are per currency: count, sum and sum weighted by the stage's probability.
    """
    pipeline = get_pipeline(session, pipeline_ref)
    stages = [s for s in stages_of(session, pipeline.id) if s.kind == "open"]
    totals: dict[int, dict[str, dict[str, int]]] = {s.id: {} for s in stages}
    counts: dict[int, int] = {s.id: 0 for s in stages}
    for stage_id, currency, count, units in session.execute(
        select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount_units))
        # by stage rather than pipeline: ix_deal_status_stage_amounts then answers it alone
        .where(Deal.status == "open", Deal.stage_id.in_(list(totals)))
        .group_by(Deal.stage_id, Deal.currency)
    ):
        totals[stage_id][currency] = {"count": count, "units": int(units or 0)}
        counts[stage_id] += count
    columns = []
    for stage in stages:
        cards = stage_cards(session, stage.id, limit=per_column)
        columns.append(
            {
                "stage_id": stage.id,
                "stage": stage.name,
                "probability": stage.probability,
                "count": counts[stage.id],
                "totals": [
                    {
                        "currency": currency,
                        "count": t["count"],
                        "sum": format_amount(t["units"], currency),
                        "weighted": format_amount(t["units"] * stage.probability // 100, currency),
                    }
                    for currency, t in sorted(totals[stage.id].items())
                ],
                "cards": cards,
            }
        )
    return {
        "pipeline_id": pipeline.id,
        "pipeline": pipeline.name,
        "pipelines": [p.name for p in list_pipelines(session)],
        "columns": columns,
    }


def stage_cards(
    session: Session,
    stage_id: int,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Open deals of a stage, longest in the stage first: `limit` of them after the card `after`
    ((stage_entered_at, id) of the last card shown), so a column of any length pages by keyset.
    """
    stmt = (
        _cards()
        .where(Deal.stage_id == stage_id, Deal.status == "open")
        .order_by(Deal.stage_entered_at, Deal.id)
        .limit(limit)
    )
    if after is not None:
        entered, last_id = after
        # the lone `>=` lets the database start from the position rather than the top
        stmt = stmt.where(
            Deal.stage_entered_at >= entered,
            or_(Deal.stage_entered_at > entered, Deal.id > last_id),
        )
    return [_card(row) for row in session.execute(stmt)]


def deal_card(session: Session, deal_id: int) -> dict[str, Any] | None:
    """The card of one open deal, or None: a deal the board follows beyond its column's pages."""
    row = session.execute(_cards().where(Deal.id == deal_id, Deal.status == "open")).first()
    return _card(row) if row is not None else None


def _cards():
    return select(
        Deal.id,
        Deal.title,
        Deal.amount_units,
        Deal.currency,
        Deal.stage_id,
        Deal.stage_entered_at,
        Deal.contact_id,
        Company.name,
    ).outerjoin(Company, Company.id == Deal.company_id)


def _card(row) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "company": row.name,
        "contact_id": row.contact_id,
        "amount": format_amount(row.amount_units, row.currency),
        "currency": row.currency,
        "stage_id": row.stage_id,
        "stage_entered_at": row.stage_entered_at,
    }


def neighbour_stage(session: Session, deal: Deal, step: int) -> Stage | None:
    """The open stage `step` places after (or before) the deal's stage, or None at either end."""
    stages = [s for s in stages_of(session, deal.pipeline_id) if s.kind == "open"]
    ids = [s.id for s in stages]
    if deal.stage_id not in ids:
        return None
    index = ids.index(deal.stage_id) + step
    return stages[index] if 0 <= index < len(stages) else None
