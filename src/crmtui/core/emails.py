"""Email validation: a fast path for ordinary addresses, email-validator for everything else."""

import re

from crmtui.core.errors import Invalid

_ORDINARY = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def normalize_email(text: str) -> str:
    """The address trimmed, with its domain lower-cased; raises Invalid when it is not an email."""
    value = (text or "").strip()
    if len(value) <= 254 and _ORDINARY.match(value):
        local, domain = value.rsplit("@", 1)
        if len(local) <= 64:
            return f"{local}@{domain.lower()}"
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"invalid email {value!r}: {exc}") from None
    return result.normalized
