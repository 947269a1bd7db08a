"""Reading the values other tools write: dates, multi-value cells, opt-outs, stages."""

import json
import re
from datetime import date, datetime
from typing import Any

from crmtui.core.errors import Invalid
from crmtui.core.models import CONSENT_STATES, LIFECYCLE_STAGES
from crmtui.core.text import fold

MULTI = " ::: "
_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_YEARLESS = re.compile(r"^--(\d{2})-?(\d{2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_EMPTY_DATES = {"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00"}
_LIST_SPLIT = re.compile(r"\s*[;,]\s*")

TRUE_WORDS = {"true", "yes", "y", "1", "x", "on", "unsubscribed", "opted out", "opt out", "checked"}
FALSE_WORDS = {"false", "no", "n", "0", "off", "", "subscribed", "unchecked"}

_DIRECTIONS = {"in": "in", "inbound": "in", "incoming": "in", "received": "in",
               "out": "out", "outbound": "out", "outgoing": "out", "sent": "out"}  # fmt: skip
_KIND_ALIASES = {"phone": "call", "phone call": "call", "e-mail": "email", "mail": "email"}

_STAGE_ALIASES = {
    "marketingqualifiedlead": "marketing_qualified",
    "mql": "marketing_qualified",
    "salesqualifiedlead": "sales_qualified",
    "sql": "sales_qualified",
    "formercustomer": "former_customer",
    "churned": "former_customer",
    "prospect": "lead",
    "client": "customer",
}
_STAGES_BY_KEY = {stage.replace("_", ""): stage for stage in LIFECYCLE_STAGES} | _STAGE_ALIASES


def split_multi(cell: str) -> list[str]:
    """Google's ` ::: ` separated values, else one value."""
    parts = cell.split(MULTI) if MULTI in cell else [cell]
    return [p.strip() for p in parts if p.strip()]


def split_list(cell: str) -> list[str]:
    """Tags and categories: ` ::: ` when present (then nothing else splits), else `;` and `,`."""
    if MULTI in cell or cell.rstrip().endswith(MULTI.rstrip()):
        return [p.strip() for p in cell.split(MULTI.strip()) if p.strip()]
    return [p for p in _LIST_SPLIT.split(cell.strip()) if p]


def csv_cell(value: Any) -> str:
    """A value as the CSV export writes it (and a JSON import reads it back)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return join_list([csv_cell(v) for v in value])
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def join_list(values: list[str]) -> str:
    """The inverse of split_list: a lone value holding `;` or `,` keeps a trailing separator."""
    if not values:
        return ""
    if len(values) == 1 and not _LIST_SPLIT.search(values[0]) and MULTI.strip() not in values[0]:
        return values[0]
    joined = MULTI.join(values)
    return joined + MULTI.rstrip() if len(values) == 1 else joined


def parse_birthday(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from ISO, --MM-DD, M/D/YYYY; None when empty or 0/0/00."""
    value = text.strip()
    if not value or value in _EMPTY_DATES:
        return None
    year: int | None
    if m := _ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _YEARLESS.match(value):
        year, month, day = None, int(m[1]), int(m[2])
    elif m := _US.match(value):
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 1900 if year > date.today().year % 100 else 2000
        if year in (1604, 1900) and month and day:  # Outlook/Apple write these for "no year"
            year = None
    else:
        raise Invalid(f"invalid date {value!r}: use 1985-04-12, --04-12 or 4/12/1985")
    if month == 0 and day == 0:
        return None
    try:
        date(year or 2000, month, day)
    except ValueError:
        raise Invalid(f"invalid date {value!r}") from None
    return year, month, day


def format_birthday(year: int | None, month: int | None, day: int | None) -> str:
    if not month or not day:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def parse_flag(text: str, what: str) -> bool:
    """A yes/no cell; anything else is refused rather than guessed."""
    value = fold(text)
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise Invalid(f"invalid {what} {text.strip()!r}: use true or false")


def parse_lifecycle(text: str) -> str | None:
    value = re.sub(r"[\s_\-]+", "", fold(text))
    if not value:
        return None
    stage = _STAGES_BY_KEY.get(value)
    if stage is None:
        raise Invalid(f"unknown lifecycle stage {text.strip()!r}")
    return stage


def parse_consent(text: str) -> str | None:
    value = fold(text).replace(" ", "_")
    if not value:
        return None
    if value in ("opted_out", "opt_out", "unsubscribe"):
        return "unsubscribed"
    if value in ("opted_in", "opt_in", "subscribe"):
        return "subscribed"
    if value not in CONSENT_STATES:
        raise Invalid(f"invalid email consent {text.strip()!r}: use {', '.join(CONSENT_STATES)}")
    return value


def parse_direction(text: str) -> str:
    """`in` or `out`, from the words other tools write: INBOUND, Outgoing, received..."""
    direction = _DIRECTIONS.get(fold(text))
    if direction is None:
        raise Invalid(f"invalid direction {text.strip()!r}: choose one of in, out")
    return direction


def interaction_kind(text: str) -> str:
    """An interaction kind as other tools name it (`Phone call`, `E-mail`) in ours; the rest
    as it is, for the service to check."""
    key = fold(text)
    return _KIND_ALIASES.get(key, key)
