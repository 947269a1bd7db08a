"""Exact amounts: parsed from text, stored as integers of 1/10 000, shown to the currency."""

import re
from decimal import Decimal, InvalidOperation

from crmtui.core.errors import Invalid

AMOUNT_SCALE = 10_000
MAX_AMOUNT = Decimal("100000000000000")
_ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "XOF", "XAF", "UGX", "PYG"}
_THREE_DECIMAL = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"}
# spaces and apostrophes spreadsheets put between thousands (1 234,50; 1'234.50)
_THOUSANDS_SPACES = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f'\u2019](?=\d{3})")
# `1.500`: one thousand five hundred in a German file, one and a half in a US one
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")
# the first of the thousands groups (1,234,567 or India's 12,34,567); 2 or 3 digits follow
_FIRST_GROUP = re.compile(r"^[+-]?\d{1,3}$")


def currency_digits(currency: str) -> int:
    if currency in _ZERO_DECIMAL:
        return 0
    return 3 if currency in _THREE_DECIMAL else 2


def parse_currency(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise Invalid(f"invalid currency {code!r}: use a three-letter ISO code such as EUR")
    return code


def _plain_number(text: str) -> str:
    """`1.234,56`, `1 234,56`, `1,234.56` or `1500,50` as Decimal reads it: the separator
    written last is the decimal one, unless it repeats or is a lone comma before three digits
    (`1,234`: thousands, as a US file means it)."""
    number = _THOUSANDS_SPACES.sub("", text.strip())
    marks = [ch for ch in number if ch in ",."]
    if not marks:
        return number
    last = marks[-1]
    us_thousands = last == "," and "." not in marks and len(number) - number.rfind(",") == 4
    whole, fraction = number, None
    if marks.count(last) == 1 and not us_thousands:
        whole, _, fraction = number.rpartition(last)
        last = "," if last == "." else "."
    groups = whole.split(last)
    if len(groups) > 1 and not (
        _FIRST_GROUP.match(groups[0])
        and all(g.isdigit() and len(g) in (2, 3) for g in groups[1:])
        and len(groups[-1]) == 3
    ):
        return number  # not thousands groups: Decimal refuses it
    return "".join(groups) + ("" if fraction is None else "." + fraction)


def parse_amount(text: str | Decimal | int, currency: str) -> Decimal:
    """A non-negative amount with no more decimals than the currency has."""
    raw = _plain_number(str(text)) if not isinstance(text, Decimal) else text
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise Invalid(f"invalid amount {text!r}: expected a number such as 1500.00") from None
    if not amount.is_finite():
        raise Invalid(f"invalid amount {text!r}: expected a number such as 1500.00")
    if amount < 0:
        raise Invalid(f"invalid amount {text!r}: amounts cannot be negative")
    if amount >= MAX_AMOUNT:
        raise Invalid(f"invalid amount {text!r}: too large")
    digits = currency_digits(currency)
    if digits < 3 and isinstance(text, str) and _DOT_THOUSANDS.match(text.strip()):
        whole, _, part = text.strip().partition(".")
        raise Invalid(
            f"invalid amount {text!r}: {whole}{part} or {Decimal(text.strip()).normalize()}? "
            f"{currency} has {digits} decimal places: write {whole}{part} without the dot"
        )
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise Invalid(f"invalid amount {text!r}: {currency} has {digits} decimal places")
    return amount


def to_units(amount: Decimal) -> int:
    return int(amount * AMOUNT_SCALE)


def from_units(units: int | None, currency: str) -> Decimal:
    digits = currency_digits(currency)
    return (Decimal(units or 0) / AMOUNT_SCALE).quantize(Decimal(1).scaleb(-digits))


def format_amount(units: int | None, currency: str) -> str:
    """The decimal string scripts read: `1500.00`."""
    return str(from_units(units, currency))
