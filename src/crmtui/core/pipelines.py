"""Pipelines and their ordered stages."""

from sqlalchemy import func, select
from sqlmodel import Session

from crmtui.core.audit import record_change
from crmtui.core.errors import Conflict, Invalid, NotFound
from crmtui.core.models import STAGE_KINDS, Deal, DealStageChange, Pipeline, Stage
from crmtui.core.text import fold


def get_pipeline(session: Session, ref: str | int | None = None) -> Pipeline:
    """A pipeline by id or name; the first one when none is named."""
    if ref is None or str(ref).strip() == "":
        pipeline = session.scalars(
            select(Pipeline).order_by(Pipeline.position, Pipeline.id)
        ).first()
        if pipeline is None:
            raise NotFound("there is no pipeline; add one with `crm pipeline add`")
        return pipeline
    text = str(ref).strip()
    if text.isdigit():
        pipeline = session.get(Pipeline, int(text))
    else:
        pipeline = session.scalars(select(Pipeline).where(Pipeline.name_key == fold(text))).first()
    if pipeline is None:
        names = ", ".join(p.name for p in list_pipelines(session))
        raise NotFound(f"no pipeline {text!r} (pipelines: {names}; add one with crm pipeline add)")
    return pipeline


def list_pipelines(session: Session) -> list[Pipeline]:
    return list(session.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id)))


def stages_of(session: Session, pipeline_id: int) -> list[Stage]:
    return list(
        session.scalars(
            select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position)
        )
    )


def get_stage(session: Session, pipeline_id: int, ref: str | int) -> Stage:
    """A stage of the pipeline by id or name."""
    text = str(ref).strip()
    if text.isdigit():
        stage = session.get(Stage, int(text))
        if stage is not None and stage.pipeline_id != pipeline_id:
            stage = None
    else:
        stage = session.scalars(
            select(Stage).where(Stage.pipeline_id == pipeline_id, Stage.name_key == fold(text))
        ).first()
    if stage is None:
        names = ", ".join(s.name for s in stages_of(session, pipeline_id))
        raise NotFound(f"no stage {text!r} in this pipeline (stages: {names})")
    return stage


def _check_probability(probability: int) -> int:
    if not 0 <= probability <= 100:
        raise Invalid(f"invalid probability {probability}: use a percentage from 0 to 100")
    return probability


def add_pipeline(session: Session, name: str, stages: list[tuple[str, int, str]]) -> Pipeline:
    """A pipeline with stages given as (name, probability, kind) in order."""
    name = name.strip()
    if not name:
        raise Invalid("a pipeline needs a name")
    if session.scalars(select(Pipeline).where(Pipeline.name_key == fold(name))).first():
        raise Conflict(f"a pipeline named {name!r} already exists")
    if not stages:
        stages = [("Lead", 10, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
    position = (session.scalar(select(func.max(Pipeline.position))) or 0) + 1
    pipeline = Pipeline(name=name, name_key=fold(name), position=position)
    session.add(pipeline)
    session.flush()
    for stage_name, probability, kind in stages:
        add_stage(session, pipeline, stage_name, probability, kind)
    record_change(session, "pipeline", pipeline.id, "create", {"name": [None, name]})
    return pipeline


def add_stage(
    session: Session,
    pipeline: Pipeline,
    name: str,
    probability: int,
    kind: str = "open",
    position: int | None = None,
) -> Stage:
    """Add a stage; `position` (0-based) inserts it before the stage there, else it goes last."""
    name = name.strip()
    if not name:
        raise Invalid("a stage needs a name")
    if kind not in STAGE_KINDS:
        raise Invalid(f"invalid stage kind {kind!r}: choose one of {', '.join(STAGE_KINDS)}")
    existing = stages_of(session, pipeline.id)
    if any(s.name_key == fold(name) for s in existing):
        raise Conflict(f"the pipeline {pipeline.name!r} already has a stage {name!r}")
    stage = Stage(
        pipeline_id=pipeline.id,
        name=name,
        name_key=fold(name),
        probability=_check_probability(probability),
        kind=kind,
        position=len(existing),
    )
    session.add(stage)
    session.flush()
    record_change(session, "stage", stage.id, "create", {"name": [None, name]})
    if position is not None:
        move_stage(session, stage, position)
    return stage


def move_stage(session: Session, stage: Stage, position: int) -> list[Stage]:
    """Put the stage at a 0-based position and renumber the others; returns the new order."""
    ordered = [s for s in stages_of(session, stage.pipeline_id) if s.id != stage.id]
    position = max(0, min(position, len(ordered)))
    ordered.insert(position, stage)
    for index, item in enumerate(ordered):
        item.position = index
        session.add(item)
    session.flush()
    return ordered


def edit_stage(
    session: Session, stage: Stage, *, name: str | None = None, probability: int | None = None
) -> dict[str, list]:
    """Rename a stage or change its win probability (the forecast weighs open deals by it from
    then on); one history entry, which undo reverts. Returns the changes, {} if none."""
    from crmtui.core.records import apply_changes

    values: dict = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise Invalid("a stage needs a name")
        _check_free_name(session, stage, name)
        values.update(name=name, name_key=fold(name))
    if probability is not None:
        values["probability"] = _check_probability(probability)
    return apply_changes(session, "stage", stage, values)


def _check_free_name(session: Session, stage: Stage, name: str) -> None:
    taken = session.scalars(
        select(Stage).where(
            Stage.pipeline_id == stage.pipeline_id,
            Stage.name_key == fold(name),
            Stage.id != stage.id,
        )
    ).first()
    if taken is not None:
        raise Conflict(f"the pipeline already has a stage {taken.name!r}")


def delete_stage(session: Session, stage: Stage) -> None:
    """Delete a stage no deal has ever been in (one added by mistake). A stage deals have been
    through stays: the funnel and the pipeline's flow count those moves. One history entry."""
    from crmtui.core.audit import record_deleted

    holding = session.scalar(select(func.count()).where(Deal.stage_id == stage.id))
    if holding:
        raise Conflict(
            f"{holding} deal{'s are' if holding != 1 else ' is'} in stage {stage.name}: "
            "move them first (crm deal move)"
        )
    moves = session.scalar(
        select(func.count()).where(
            (DealStageChange.to_stage_id == stage.id) | (DealStageChange.from_stage_id == stage.id)
        )
    )
    if moves:
        raise Conflict(
            f"deals have been in stage {stage.name} ({moves} moves recorded): it stays, so the "
            "reports keep their history; rename it instead (crm pipeline stage edit)"
        )
    others = [s for s in stages_of(session, stage.pipeline_id) if s.id != stage.id]
    if not any(other.kind == stage.kind for other in others):
        raise Invalid(f"stage {stage.name} is the pipeline's only {stage.kind} stage")
    record_deleted(session, "stage", stage)
    session.delete(stage)
    for index, other in enumerate(others):
        other.position = index
        session.add(other)
    session.flush()


def stage_deal_counts(session: Session, pipeline_id: int) -> dict[int, int]:
    """Deals in each stage of the pipeline, counted off the stage index alone (a deal's stage is
    one of its pipeline's): by pipeline, every deal was read, 0.5 s on the 1M demo."""
    stages = select(Stage.id).where(Stage.pipeline_id == pipeline_id)
    rows = session.execute(
        select(Deal.stage_id, func.count()).where(Deal.stage_id.in_(stages)).group_by(Deal.stage_id)
    )
    return dict(rows.all())
