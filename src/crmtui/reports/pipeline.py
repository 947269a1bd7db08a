"""`crm report pipeline` and `crm report funnel`: stages now, and how deals move through them."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
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
    position = {s.id: s.position for s in progress}
    furthest = (
        select(DealStageChange.deal_id, func.max(Stage.position).label("furthest"))
        .join(Stage, Stage.id == DealStageChange.to_stage_id)
        .where(Stage.id.in_(list(position)))
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
    rows = session.execute(
        select(
            Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount_units),
            func.min(Deal.stage_entered_at), func.max(Deal.stage_entered_at),
        )
        .where(Deal.pipeline_id == chosen.id, Deal.status == "open")
        .group_by(Deal.stage_id, Deal.currency)
    ).all()  # fmt: skip
    entered = session.execute(
        select(Deal.stage_id, Deal.stage_entered_at).where(
            Deal.pipeline_id == chosen.id, Deal.status == "open"
        )
    ).all()
    micros: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for stage_id, since in entered:
        micros[stage_id][0] += max(0, int((now - since).total_seconds() * 1_000_000))
        micros[stage_id][1] += 1
    reached = reached_counts(session, stages)
    progress = [s for s in stages if s.kind != "lost"]
    counts = [reached[s.id] for s in progress]
    result = []
    for stage in stages:
        mine = [r for r in rows if r[0] == stage.id]
        total, deals = micros.get(stage.id, [0, 0])
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
