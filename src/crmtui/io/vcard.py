"""vCard: reading 3.0 and 4.0 cards as import rows, writing 4.0 cards for address books."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

import vobject

from crmtui.io.values import MULTI

Pairs = list[tuple[str, str]]


def looks_like_vcard(first_line: str) -> bool:
    return first_line.strip().upper().startswith("BEGIN:VCARD")


def read_cards(lines: Iterable[str], first_line_number: int = 1) -> Iterator[tuple[int, str]]:
    """(line number of BEGIN, card text) for each card, streaming; a card cut short (by the
    next BEGIN or the end of the file) too, so that it is rejected rather than lost."""
    card: list[str] = []
    start = 0
    for number, line in enumerate(lines, first_line_number):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card:
                yield start, "".join(card)
            card, start = [line], number
        elif card:
            card.append(line)
            if upper == "END:VCARD":
                yield start, "".join(card)
                card = []
    if card:
        yield start, "".join(card)


def _is_preferred(prop) -> bool:
    types = [t.lower() for t in prop.params.get("TYPE", [])]
    return "pref" in types or bool(prop.params.get("PREF"))


def _ordered(props) -> list:
    return sorted(props, key=lambda p: not _is_preferred(p))


def card_pairs(text: str) -> Pairs:
    """One card as (field, value) pairs, the same shape a mapped CSV row has."""
    if not text.rstrip().upper().endswith("END:VCARD"):
        raise ValueError("no END:VCARD")  # vobject would name a line of its own count
    card = vobject.readOne(text, ignoreUnreadable=True)
    pairs: Pairs = []
    contents = card.contents
    if "fn" in contents:
        pairs.append(("name", str(contents["fn"][0].value)))
    if "n" in contents:
        n = contents["n"][0].value
        if isinstance(n, vobject.vcard.Name):
            pairs += [("first_name", _text(n.given)), ("middle_name", _text(n.additional)),
                      ("last_name", _text(n.family))]  # fmt: skip
    for prop in _ordered(contents.get("email", [])):
        pairs.append(("email", str(prop.value)))
    for prop in _ordered(contents.get("tel", [])):
        pairs.append(("phone", str(prop.value).removeprefix("tel:")))
    if "org" in contents:
        org = contents["org"][0].value
        pairs.append(("company", org[0] if isinstance(org, list) and org else str(org)))
    simple = {"title": "job_title", "note": "notes", "url": "website", "bday": "birthday",
              "x-crm-lifecycle-stage": "lifecycle_stage", "x-crm-email-consent": "email_consent",
              "x-crm-source": "source", "x-crm-owner": "owner",
              "x-crm-custom-fields": "custom_fields"}  # fmt: skip
    for name, target in simple.items():
        if name in contents:
            value = str(contents[name][0].value)
            if target == "birthday":
                value = value.split("T")[0]
            pairs.append((target, value))
    if "x-crm-do-not-contact" in contents:
        pairs.append(("do_not_contact", str(contents["x-crm-do-not-contact"][0].value)))
    if "categories" in contents:
        categories = contents["categories"][0].value
        values = categories if isinstance(categories, list) else [str(categories)]
        pairs.append(("tags", MULTI.join(values) + (MULTI.rstrip() if len(values) == 1 else "")))
    if "adr" in contents:
        adr = _ordered(contents["adr"])[0].value
        if isinstance(adr, vobject.vcard.Address):
            pairs += [("street", _text(adr.street)), ("city", _text(adr.city)),
                      ("region", _text(adr.region)), ("postal_code", _text(adr.code)),
                      ("country", _text(adr.country))]  # fmt: skip
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v)
    return str(value or "")


def contact_card(row: dict[str, Any]) -> str:
    """A vCard 4.0 for one exported contact row."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("fn").value = row["name"]
    card.add("n").value = vobject.vcard.Name(
        family=row.get("last_name") or "", given=row.get("first_name") or ""
    )
    for position, email in enumerate(row.get("emails") or []):
        prop = card.add("email")
        prop.value = email
        if position == 0:
            prop.params["PREF"] = ["1"]
    for position, phone in enumerate(row.get("phones") or []):
        prop = card.add("tel")
        prop.value = phone
        if position == 0:
            prop.params["PREF"] = ["1"]
    if row.get("company"):
        card.add("org").value = [row["company"]]
    if row.get("job_title"):
        card.add("title").value = row["job_title"]
    if row.get("birthday"):
        birthday = row["birthday"]
        card.add("bday").value = (
            "--" + birthday[2:].replace("-", "") if birthday.startswith("--") else birthday
        )
    if row.get("tags"):
        card.add("categories").value = list(row["tags"])
    if row.get("notes"):
        card.add("note").value = row["notes"]
    if row.get("website"):
        card.add("url").value = row["website"]
    if any(row.get(k) for k in ("street", "city", "region", "postal_code", "country")):
        card.add("adr").value = vobject.vcard.Address(
            street=row.get("street") or "", city=row.get("city") or "",
            region=row.get("region") or "", code=row.get("postal_code") or "",
            country=row.get("country") or "",
        )  # fmt: skip
    card.add("x-crm-lifecycle-stage").value = row["lifecycle_stage"]
    card.add("x-crm-email-consent").value = row["email_consent"]
    if row.get("do_not_contact"):
        card.add("x-crm-do-not-contact").value = "true"
    if row.get("source"):
        card.add("x-crm-source").value = row["source"]
    if row.get("owner"):
        card.add("x-crm-owner").value = row["owner"]
    if row.get("custom_fields"):
        card.add("x-crm-custom-fields").value = json.dumps(row["custom_fields"], ensure_ascii=False)
    return card.serialize()
