"""`crm report pipeline` and `crm report funnel`: stages now, and how deals move through them."""

import calendar
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, case, cast, extract, func, literal, select
from sqlalchemy.orm import Session

from crmtui.core.models import Deal, DealStageChange, Stage
from crmtui.core.timeparse import now_utc
from crmtui.reports.monthly import amounts, rounded, weighted_amounts


def _pipeline(session: Session, ref: str | None):
    from crmtui.core.pipelines import get_pipeline, stages_of

    pipeline = get_pipeline(session, ref)
    return pipeline, stages_of(session, pipeline.id)


def reached_counts(
    session: Session,
    stages: list[Stage],
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[int, int]:
    """{stage id: deals that reached it or a later stage} from the recorded moves.

    A deal reaches the stages up to the furthest one it entered (by position; lost stages do not
    count as progress). With `start`/`end`, only the moves in that window count.
    """
    progress = [s for s in stages if s.kind != "lost"]
    # Positions written into the query: joining the stage per move took half again as long.
    position = case({s.id: s.position for s in progress}, value=DealStageChange.to_stage_id)
    furthest = (
        select(DealStageChange.deal_id, func.max(position).label("furthest"))
        .where(DealStageChange.to_stage_id.in_([s.id for s in progress]))
        .group_by(DealStageChange.deal_id)
    )
    if start is not None:
        furthest = furthest.where(DealStageChange.changed_at >= start)
    if end is not None:
        furthest = furthest.where(DealStageChange.changed_at < end)
    sub = furthest.subquery()
    by_furthest = dict(
        session.execute(select(sub.c.furthest, func.count()).group_by(sub.c.furthest)).all()
    )
    return {
        s.id: sum(count for pos, count in by_furthest.items() if pos >= s.position)
        for s in progress
    }


def _micros_in_stage(
    session: Session, stage_ids: list[int], now: datetime
) -> dict[int, tuple[int, int]]:
    """{stage id: (open deals, their whole microseconds in it up to `now`)}, summed exactly in
    SQL; a deal entered after `now` counts, with no time.

    Summed are seconds and microseconds since the epoch. SQLite keeps times as text, and sums
    them apart: one sum of microseconds would overflow 64 bits past a few thousand deals.
    PostgreSQL's epoch is an exact decimal, its seconds none."""
    entered = Deal.stage_entered_at
    before = entered <= now
    if session.get_bind().dialect.name == "sqlite":
        parts = (
            cast(func.strftime("%s", entered), Integer),
            cast(func.substr(entered, 21, 6), Integer),
        )
    else:
        parts = (literal(0), extract("epoch", entered) * 1_000_000)
    rows = session.execute(
        select(
            Deal.stage_id, func.count(), func.count(case((before, 1))),
            *(func.coalesce(func.sum(case((before, part))), 0) for part in parts),
        )
        .where(Deal.stage_id.in_(stage_ids), Deal.status == "open")
        .group_by(Deal.stage_id)
    ).all()  # fmt: skip
    seconds = calendar.timegm(now.utctimetuple())
    found = {}
    for stage_id, deals, counted, summed_seconds, summed_micros in rows:
        total = (seconds * counted - summed_seconds) * 1_000_000
        found[stage_id] = (deals, total + now.microsecond * counted - int(summed_micros))
    return found


def _conversion(counts: list[int], index: int) -> float | None:
    if index + 1 >= len(counts) or not counts[index]:
        return None
    return rounded(Decimal(counts[index + 1]) / counts[index], 4)


def pipeline_report(
    session: Session, pipeline: str | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """Per stage: open deals now, amount, weighted amount, average days in stage, conversion."""
    now = now or now_utc()
    chosen, stages = _pipeline(session, pipeline)
    # By stage rather than pipeline: the index on (status, stage, currency, ..., amount) then
    # holds all the query reads.
    rows = session.execute(
        select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount_units))
        .where(Deal.status == "open", Deal.stage_id.in_([s.id for s in stages]))
        .group_by(Deal.stage_id, Deal.currency)
    ).all()
    micros = _micros_in_stage(session, [s.id for s in stages], now)
    reached = reached_counts(session, stages)
    progress = [s for s in stages if s.kind != "lost"]
    counts = [reached[s.id] for s in progress]
    result = []
    for stage in stages:
        mine = [r for r in rows if r[0] == stage.id]
        deals, total = micros.get(stage.id, (0, 0))
        index = next((i for i, s in enumerate(progress) if s.id == stage.id), None)
        result.append(
            {
                "stage": stage.name,
                "kind": stage.kind,
                "probability": stage.probability,
                "open": sum(r[2] for r in mine),
                "amount": amounts((r[1], r[3]) for r in mine),
                "weighted_amount": weighted_amounts(
                    (r[1], int(r[3] or 0) * stage.probability) for r in mine
                ),
                "avg_days_in_stage": (
                    rounded(Decimal(total) / (deals * 86_400_000_000), 1) if deals else None
                ),
                "reached": reached.get(stage.id),
                "conversion_to_next": (
                    _conversion(counts, index) if index is not None and stage.kind == "open"
                    else None
                ),
            }
        )  # fmt: skip
    units = [(c, u) for r in result for c, u in _units(r["amount"])]
    return {
        "pipeline": chosen.name,
        "at": now,
        "open": sum(r["open"] for r in result),
        "amount": amounts(units),
        "weighted_amount": weighted_amounts(
            (c, u * s.probability)
            for s, r in zip(stages, result, strict=True)
            for c, u in _units(r["amount"])
        ),
        "stages": result,
    }


def _units(values: dict[str, Decimal]):
    from crmtui.core.money import AMOUNT_SCALE

    return [(c, int(v * AMOUNT_SCALE)) for c, v in values.items()]


def funnel_report(
    session: Session,
    pipeline: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Stage to stage: deals that reached each stage in the window, and the share that went on."""
    chosen, stages = _pipeline(session, pipeline)
    reached = reached_counts(session, stages, start, end)
    progress = [s for s in stages if s.kind != "lost"]
    counts = [reached[s.id] for s in progress]
    first = counts[0] if counts else 0
    return {
        "pipeline": chosen.name,
        "from": start,
        "to": end,
        "stages": [
            {
                "stage": stage.name,
                "kind": stage.kind,
                "reached": counts[i],
                "conversion_to_next": _conversion(counts, i),
                "conversion_from_first": (
                    rounded(Decimal(counts[i]) / first, 4) if first else None
                ),
            }
            for i, stage in enumerate(progress)
        ],
    }
