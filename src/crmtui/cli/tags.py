"""`crm tag ...`: every tag with how many records carry it; rename, merge and delete tags."""

from typing import Annotated

import typer

from crmtui.cli import context
from crmtui.cli.options import confirm_or_yes
from crmtui.cli.output import FormatOption, message, render_rows

app = typer.Typer(no_args_is_help=True)

COLUMNS = ("name", "contacts", "companies", "deals")
Name = Annotated[str, typer.Argument(help="The tag's name; case and accents do not matter.")]


@app.command("list")
def list_(fmt: FormatOption = None) -> None:
    """Every tag by name, with how many contacts, companies and deals carry it.

    Example: crm tag list --format json
    """
    from crmtui.core.tag_admin import tag_counts

    with context.database().session() as session:
        render_rows(tag_counts(session), COLUMNS, fmt)


@app.command("rename")
def rename(
    old: Name,
    new: Annotated[str, typer.Argument(help="Its new name; an existing tag's merges the two.")],
) -> None:
    """Rename a tag everywhere, saved segments included; to an existing tag's name, merge the
    two. One entry in the history: `crm undo` on it puts everything back.

    Example: crm tag rename "VIP " vip
    """
    from crmtui.core.tag_admin import rename_tag

    with context.database().transaction(username=context.username()) as session:
        done = rename_tag(session, old, new)
    if done["records"] is None:
        message(f"tag {done['tag']} is named so already: nothing to change")
        return
    said = "merged tag {} into {}" if done["merged"] else "renamed tag {} to {}"
    message(f"{said.format(old.strip(), done['tag'])} ({_records(done['records'])})")


@app.command("delete")
def delete(
    name: Name, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False
) -> None:
    """Take a tag off every contact, company and deal, and delete it. One entry in the history:
    `crm undo` on it puts it back.

    Example: crm tag delete expo-2025 --yes
    """
    from crmtui.core.tag_admin import delete_tag, tag_uses

    def question(session) -> str:
        uses = tag_uses(session, name)
        held = ", ".join(f"{count:,} {entity}{'s' if count != 1 else ''}"
                         for entity, count in uses.items() if count)  # fmt: skip
        return f"Delete tag {name.strip()}{f', taking it off {held}' if held else ''}?"

    confirm_or_yes(question, yes)
    with context.database().transaction(username=context.username()) as session:
        done = delete_tag(session, name)
    message(f"deleted tag {done['tag']} ({_records(done['records'])} had it)")


def _records(count: int) -> str:
    return f"{count:,} record{'s' if count != 1 else ''}"
