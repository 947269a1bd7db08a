"""Option types shared by several commands, and parsers for their values."""

from collections.abc import Callable
from typing import Annotated, Any

import typer

from crmtui.cli import context

When = Annotated[
    str | None,
    typer.Option("--at", help="When: ISO 8601, today, yesterday, -2h, +3d, ... (default now)."),
]
Created = Annotated[
    str | None, typer.Option("--created", help="When it was created, for history entered late.")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag (repeatable).")]
Fields = Annotated[
    list[str] | None, typer.Option("--field", help="A custom field as key=value (repeatable).")
]


# the contact filters of `contact list`, `export contacts` and `segment add`
ContactSearch = Annotated[
    str | None, typer.Option("--search", "-q", help="Only contacts matching these words.")
]
ContactTag = Annotated[str | None, typer.Option("--tag", "-t", help="Only contacts with this tag.")]
ContactCompany = Annotated[
    str | None, typer.Option("--company", "-c", help="Only contacts of this company.")
]
WhereFilter = Annotated[
    list[str] | None, typer.Option("--where", help="Custom field filter key=value (repeatable).")
]
# the interaction filters of `log list` and `export interactions`
InteractionContact = Annotated[str | None, typer.Option("--contact", help="Only this contact's.")]
InteractionKind = Annotated[
    str | None, typer.Option("--kind", help="call, email, meeting, note or chat.")
]
InteractionDeal = Annotated[int | None, typer.Option("--deal", help="Only those about this deal.")]
InteractionUser = Annotated[str | None, typer.Option("--user", help="Only those this user logged.")]
InteractionSince = Annotated[
    str | None, typer.Option("--since", help="Only since: 7d, 12h, 2w or a date.")
]
SegmentOption = Annotated[
    str | None, typer.Option("--segment", help="Contacts of this saved segment (crm segment).")
]
ConsentFilter = Annotated[
    str | None,
    typer.Option("--consent", help="Only this email consent: subscribed, unsubscribed, unknown."),
]
ContactableFilter = Annotated[
    bool,
    typer.Option(
        "--contactable", help="Only contacts one may reach: not do-not-contact, not unsubscribed."
    ),
]


def when_or_none(text: str | None):
    if text is None:
        return None
    from crmtui.core.timeparse import parse_when

    return parse_when(text)


def interaction_filters(
    contact: str | None, kind: str | None, deal: int | None, user: str | None, since: str | None
) -> dict[str, Any]:
    """The interaction filter options as core.interactions.filtered_interactions takes them."""
    from crmtui.core.history import parse_since

    return {
        "contact": contact, "kind": kind, "deal_id": deal, "username": user,
        "since": parse_since(since) if since else None,
    }  # fmt: skip


def key_values(pairs: list[str] | None, what: str = "--field") -> dict[str, str]:
    """`key=value` pairs into a dict; a pair without `=` is bad usage."""
    result: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            from crmtui.core.errors import Invalid

            raise Invalid(f"{what} needs key=value, not {pair!r}")
        result[key.strip()] = value.strip()
    return result


def at_a_terminal() -> bool:
    import sys

    return sys.stdin.isatty()


def confirm_or_yes(question: Callable[[Any], str], yes: bool) -> None:
    """Ask on a terminal unless --yes; scripts (no terminal) go ahead. `question(session)` reads
    what to ask in a read session: a write transaction would keep every other writer waiting
    for the answer."""
    if yes or not at_a_terminal():
        return
    with context.database().session() as session:
        text = question(session)
    if not typer.confirm(text, default=False):
        raise typer.Exit(1)
