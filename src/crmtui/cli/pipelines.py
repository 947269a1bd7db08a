"""`crm pipeline ...`: list pipelines, add one, add and reorder its stages."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.output import FormatOption, message, render_rows

app = typer.Typer(no_args_is_help=True)
stage_app = typer.Typer(no_args_is_help=True)
app.add_typer(
    stage_app, name="stage", help="Add, rename, reorder and delete the stages of a pipeline."
)

COLUMNS = ("pipeline", "position", "stage", "probability", "kind", "deals")


def _parse_stage(text: str) -> tuple[str, int, str]:
    """`Name:probability[:kind]`, e.g. `Demo:40` or `Signed:100:won`."""
    from crmtui.core.errors import Invalid

    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[1].strip().isdigit():
        raise Invalid(f"a stage is Name:probability[:kind], not {text!r}")
    kind = parts[2].strip().lower() if len(parts) == 3 else "open"
    return parts[0].strip(), int(parts[1]), kind


@app.command("list")
def list_(fmt: FormatOption = None) -> None:
    """List pipelines with their stages in order and the number of deals in each.

    Example: crm pipeline list --format json
    """
    from crmtui.core.pipelines import list_pipelines, stage_deal_counts, stages_of

    rows = []
    with context.database().session() as session:
        for pipeline in list_pipelines(session):
            counts = stage_deal_counts(session, pipeline.id)
            for stage in stages_of(session, pipeline.id):
                rows.append(
                    {
                        "pipeline": pipeline.name,
                        "pipeline_id": pipeline.id,
                        "position": stage.position + 1,
                        "stage": stage.name,
                        "stage_id": stage.id,
                        "probability": stage.probability,
                        "kind": stage.kind,
                        "deals": counts.get(stage.id, 0),
                    }
                )
    render_rows(rows, COLUMNS, fmt)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Pipeline name.")],
    stages: Annotated[
        list[str] | None,
        typer.Argument(help="Stages in order as Name:probability[:kind]; default Lead, Won, Lost."),
    ] = None,
) -> None:
    """Add a pipeline.

    Example: crm pipeline add Partnerships Intro:10 Pilot:50 Signed:100:won Dropped:0:lost
    """
    from crmtui.core.pipelines import add_pipeline

    parsed = [_parse_stage(s) for s in stages or []]
    with context.database().transaction(username=context.username()) as session:
        pipeline = add_pipeline(session, name, parsed)
    message(f"added pipeline {pipeline.id}: {pipeline.name}")


@stage_app.command("add")
def stage_add(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    name: Annotated[str, typer.Argument(help="Stage name.")],
    probability: Annotated[
        int, typer.Option("--probability", "-p", help="Win probability in percent.")
    ],
    kind: Annotated[str, typer.Option("--kind", help="open, won or lost.")] = "open",
    position: Annotated[
        int | None, typer.Option("--position", min=1, help="1-based place (default last).")
    ] = None,
) -> None:
    """Add a stage to a pipeline.

    Example: crm pipeline stage add Sales Demo --probability 40 --position 3
    """
    from crmtui.core.pipelines import add_stage, get_pipeline

    with context.database().transaction(username=context.username()) as session:
        chosen = get_pipeline(session, pipeline)
        stage = add_stage(
            session, chosen, name, probability, kind, None if position is None else position - 1
        )
    message(f"added stage {stage.name} to {chosen.name}")


@stage_app.command("edit")
def stage_edit(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    stage: Annotated[str, typer.Argument(help="Stage name or id.")],
    name: Annotated[str | None, typer.Option("--name", help="Its new name.")] = None,
    probability: Annotated[
        int | None, typer.Option("--probability", "-p", help="Win probability in percent.")
    ] = None,
) -> None:
    """Rename a stage or change its win probability (weighted amounts and the forecast use it
    from then on); `crm undo` reverts it.

    Example: crm pipeline stage edit Sales Proposal --name "Proposal sent" --probability 40
    """
    from crmtui.core.pipelines import edit_stage, get_pipeline, get_stage

    with context.database().transaction(username=context.username()) as session:
        chosen = get_pipeline(session, pipeline)
        record = get_stage(session, chosen.id, stage)
        changed = edit_stage(session, record, name=name, probability=probability)
        label = f"{chosen.name}: {record.name} ({record.probability}%)"
    message(label if changed else f"{label}: nothing to change")


@stage_app.command("delete")
def stage_delete(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    stage: Annotated[str, typer.Argument(help="Stage name or id.")],
) -> None:
    """Delete a stage no deal has ever been in (one added by mistake); `crm undo` brings it back.
    A stage deals have been through stays, for the reports: rename it instead.

    Example: crm pipeline stage delete Sales Demo
    """
    from crmtui.core.pipelines import delete_stage, get_pipeline, get_stage, stages_of

    with context.database().transaction(username=context.username()) as session:
        chosen = get_pipeline(session, pipeline)
        record = get_stage(session, chosen.id, stage)
        name = record.name
        delete_stage(session, record)
        names = [s.name for s in stages_of(session, chosen.id)]
    message(f"deleted stage {name}; {chosen.name}: {' > '.join(names)}")


@stage_app.command("move")
def stage_move(
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    stage: Annotated[str, typer.Argument(help="Stage name or id.")],
    position: Annotated[int, typer.Argument(min=1, help="New 1-based place.")],
) -> None:
    """Reorder a stage.

    Example: crm pipeline stage move Sales Demo 2
    """
    from crmtui.core.pipelines import get_pipeline, get_stage, move_stage

    with context.database().transaction(username=context.username()) as session:
        chosen = get_pipeline(session, pipeline)
        order = move_stage(session, get_stage(session, chosen.id, stage), position - 1)
        names = [s.name for s in order]
    message(f"{chosen.name}: {' > '.join(names)}")
