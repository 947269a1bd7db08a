"""Exact amounts: parsed from text, stored as integers of 1/10 000, shown to the currency."""

from decimal import Decimal, InvalidOperation

from crmtui.core.errors import Invalid

AMOUNT_SCALE = 10_000
MAX_AMOUNT = Decimal("100000000000000")
_ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "XOF", "XAF", "UGX", "PYG"}
_THREE_DECIMAL = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"}


def currency_digits(currency: str) -> int:
    if currency in _ZERO_DECIMAL:
        return 0
    return 3 if currency in _THREE_DECIMAL else 2


def parse_currency(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise Invalid(f"invalid currency {code!r}: use a three-letter ISO code such as EUR")
    return code


def parse_amount(text: str | Decimal | int, currency: str) -> Decimal:
    """A non-negative amount with no more decimals than the currency has."""
    raw = str(text).strip().replace(",", "") if not isinstance(text, Decimal) else text
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
