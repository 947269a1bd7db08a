"""Column mappings for the exports of Google Contacts, Outlook, HubSpot, Pipedrive and plain CSV."""

import re
from dataclasses import dataclass

from crmtui.core.errors import Invalid
from crmtui.core.text import fold

# Fields a contact column can feed. `custom:KEY` goes to custom fields; `ignore` is dropped quietly.
CONTACT_FIELDS = (
    "name", "first_name", "middle_name", "last_name", "prefix", "suffix", "email", "phone",
    "company", "job_title", "birthday", "tags", "notes", "lifecycle_stage", "email_consent",
    "unsubscribed", "do_not_contact", "street", "city", "region", "postal_code", "country",
    "website", "source", "owner", "custom_fields", "id", "created_at", "consent_at", "consent_source",
)  # fmt: skip
# Columns the rejects file adds; ignored when such a file is imported again.
REJECT_COLUMNS = ("crm_line", "crm_error")


def header_key(header: str) -> str:
    """`E-mail 1 - Value` -> `e mail 1 value`: what mappings match on."""
    return re.sub(r"[\s_\-]+", " ", fold(header)).strip()


PLAIN = {
    "name": "name", "full name": "name", "display name": "name", "contact name": "name",
    "contact": "name", "first name": "first_name", "given name": "first_name",
    "firstname": "first_name", "middle name": "middle_name", "additional name": "middle_name",
    "last name": "last_name", "surname": "last_name", "family name": "last_name",
    "lastname": "last_name", "email": "email", "e mail": "email", "emails": "email",
    "email address": "email", "e mail address": "email", "mail": "email", "work email": "email",
    "personal email": "email", "phone": "phone", "phones": "phone", "phone number": "phone",
    "telephone": "phone", "tel": "phone", "mobile": "phone", "mobile phone": "phone",
    "cell": "phone", "work phone": "phone", "home phone": "phone", "company": "company",
    "company name": "company", "organization": "company", "organisation": "company",
    "org": "company", "employer": "company", "account": "company", "job title": "job_title",
    "jobtitle": "job_title", "position": "job_title", "role": "job_title",
    "birthday": "birthday", "birth date": "birthday", "birthdate": "birthday",
    "date of birth": "birthday", "dob": "birthday", "tags": "tags", "tag": "tags",
    "labels": "tags", "categories": "tags", "groups": "tags", "notes": "notes", "note": "notes",
    "comments": "notes", "lifecycle stage": "lifecycle_stage", "lifecycle": "lifecycle_stage",
    "email consent": "email_consent", "consent": "email_consent",
    "unsubscribed": "unsubscribed", "unsubscribed from all email": "unsubscribed",
    "email opt out": "unsubscribed", "opted out of email": "unsubscribed",
    "opt out": "unsubscribed", "opted out": "unsubscribed", "has opted out of email": "unsubscribed",
    "do not email": "unsubscribed", "do not contact": "do_not_contact", "street": "street",
    "address": "street", "street address": "street", "city": "city", "town": "city",
    "state": "region", "region": "region", "province": "region", "county": "region",
    "postal code": "postal_code", "postcode": "postal_code", "zip": "postal_code",
    "zip code": "postal_code", "country": "country", "country/region": "country",
    "website": "website", "web site": "website", "url": "website", "web page": "website",
    "source": "source", "lead source": "source", "owner": "owner",
    "custom fields": "custom_fields", "id": "ignore", "created at": "created_at",
    "updated at": "ignore", "version": "ignore", "consent at": "consent_at",
    "consent source": "consent_source",
    "last contacted at": "ignore",
}  # fmt: skip

GOOGLE = {
    "first name": "first_name", "middle name": "middle_name", "last name": "last_name",
    "name prefix": "prefix", "name suffix": "suffix", "nickname": "ignore",
    "organization name": "company", "organization title": "job_title",
    "organization department": "custom:department", "birthday": "birthday", "labels": "tags",
    "notes": "notes", "file as": "ignore", "phonetic first name": "ignore",
    "phonetic middle name": "ignore", "phonetic last name": "ignore", "photo": "ignore",
}  # fmt: skip
GOOGLE_LEGACY = {
    "name": "name", "given name": "first_name", "additional name": "middle_name",
    "family name": "last_name", "name prefix": "prefix", "name suffix": "suffix",
    "group membership": "tags", "birthday": "birthday", "notes": "notes",
    "organization 1 name": "company", "organization 1 title": "job_title",
    "organization 1 department": "custom:department", "organization 1 type": "ignore",
    "yomi name": "ignore", "given name yomi": "ignore", "additional name yomi": "ignore",
    "family name yomi": "ignore", "initials": "ignore", "nickname": "ignore",
    "short name": "ignore", "maiden name": "ignore", "gender": "ignore", "location": "ignore",
    "billing information": "ignore", "directory server": "ignore", "mileage": "ignore",
    "occupation": "ignore", "hobby": "ignore", "sensitivity": "ignore", "priority": "ignore",
    "subject": "ignore", "photo": "ignore",
}  # fmt: skip
GOOGLE_PATTERNS = (
    (r"e mail \d+ value", "email"), (r"e mail \d+ (label|type)", "ignore"),
    (r"phone \d+ value", "phone"), (r"phone \d+ (label|type)", "ignore"),
    (r"address \d+ street", "street"), (r"address \d+ city", "city"),
    (r"address \d+ region", "region"), (r"address \d+ postal code", "postal_code"),
    (r"address \d+ country", "country"), (r"address \d+ .*", "ignore"),
    (r"website \d+ value", "website"), (r"website \d+ (label|type)", "ignore"),
    (r"(relation|event|im|custom field) \d+ .*", "ignore"),
    (r"organization \d+ (type|yomi name|department|symbol|location|job description)", "ignore"),
    (r"(language|photo)", "ignore"),
)  # fmt: skip
OUTLOOK = {
    "first name": "first_name", "middle name": "middle_name", "last name": "last_name",
    "title": "prefix", "suffix": "suffix", "company": "company", "department": "custom:department",
    "job title": "job_title", "e mail address": "email", "e mail 2 address": "email",
    "e mail 3 address": "email", "business phone": "phone", "business phone 2": "phone",
    "mobile phone": "phone", "home phone": "phone", "home phone 2": "phone",
    "primary phone": "phone", "other phone": "phone", "company main phone": "phone",
    "business street": "street", "business city": "city", "business state": "region",
    "business postal code": "postal_code", "business country/region": "country",
    "business country": "country",
    "birthday": "birthday", "categories": "tags", "notes": "notes", "web page": "website",
    "e mail display name": "ignore", "e mail 2 display name": "ignore",
    "e mail 3 display name": "ignore", "e mail type": "ignore", "e mail 2 type": "ignore",
    "e mail 3 type": "ignore", "anniversary": "ignore", "gender": "ignore",
    "initials": "ignore", "priority": "ignore", "private": "ignore", "sensitivity": "ignore",
    "business fax": "ignore", "home fax": "ignore", "other fax": "ignore", "pager": "ignore",
    "account": "ignore", "location": "ignore", "language": "ignore", "internet free busy": "ignore",
    "office location": "ignore", "keywords": "ignore", "mileage": "ignore", "hobby": "ignore",
    "billing information": "ignore", "directory server": "ignore", "user 1": "ignore",
    "user 2": "ignore", "user 3": "ignore", "user 4": "ignore", "spouse": "ignore",
    "children": "ignore", "referred by": "ignore", "manager's name": "ignore",
    "assistant's name": "ignore", "assistant's phone": "ignore", "callback": "ignore",
    "car phone": "ignore", "isdn": "ignore", "radio phone": "ignore", "tty/tdd phone": "ignore",
    "telex": "ignore", "organizational id number": "ignore", "profession": "ignore",
    "business address": "ignore", "business address po box": "ignore",
    "business street 2": "ignore", "business street 3": "ignore", "home address": "ignore",
    "other address": "ignore",
}  # fmt: skip
OUTLOOK_PATTERNS = ((r"(home|other) (street|city|state|postal code|country|address).*", "ignore"),)
HUBSPOT = {
    "first name": "first_name", "last name": "last_name", "email": "email",
    "phone number": "phone", "mobile phone number": "phone", "company name": "company",
    "job title": "job_title", "lifecycle stage": "lifecycle_stage",
    "unsubscribed from all email": "unsubscribed", "contact owner": "owner",
    "create date": "created_at", "last activity date": "ignore", "lead status": "custom:lead_status",
    "record id": "custom:hubspot_id", "contact id": "custom:hubspot_id",
    "street address": "street", "city": "city", "state/region": "region",
    "postal code": "postal_code", "country/region": "country", "website url": "website",
    "original source": "source", "marketing contact status": "ignore",
}  # fmt: skip
PIPEDRIVE = {
    "person name": "name", "person first name": "first_name", "person last name": "last_name",
    "person organization": "company", "person labels": "tags", "person label": "tags",
    "person job title": "job_title", "person birthday": "birthday", "person notes": "notes",
    "person owner": "owner", "person id": "custom:pipedrive_id",
    "person postal address": "street", "person postal address/locality": "city",
    "person postal address/city": "city", "person postal address/country": "country",
    "person postal address/postal code": "postal_code", "person add time": "ignore",
    "person update time": "ignore", "person visible to": "ignore",
}  # fmt: skip
PIPEDRIVE_PATTERNS = ((r"person email( .*)?", "email"), (r"person phone( .*)?", "phone"))


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    columns: dict[str, str]
    patterns: tuple[tuple[str, str], ...] = ()
    signature: frozenset[str] = frozenset()

    def field_for(self, header: str) -> str | None:
        key = header_key(header)
        if key in self.columns:
            return self.columns[key]
        for pattern, target in self.patterns:
            if re.fullmatch(pattern, key):
                return target
        return PLAIN.get(key)


PRESETS = {
    "google": Preset(
        "google", "Google Contacts (current export)", GOOGLE, GOOGLE_PATTERNS,
        frozenset({"first name", "last name", "labels", "e mail 1 value", "organization name",
                   "e mail 1 label", "phone 1 value"}),
    ),
    "google-legacy": Preset(
        "google-legacy", "Google Contacts (legacy Google CSV)", GOOGLE_LEGACY, GOOGLE_PATTERNS,
        frozenset({"given name", "family name", "group membership", "e mail 1 value",
                   "e mail 1 type", "organization 1 name"}),
    ),
    "outlook": Preset(
        "outlook", "Microsoft Outlook", OUTLOOK, OUTLOOK_PATTERNS,
        frozenset({"e mail address", "business phone", "mobile phone", "categories",
                   "e mail 2 address", "job title", "home phone"}),
    ),
    "hubspot": Preset(
        "hubspot", "HubSpot", HUBSPOT, (),
        frozenset({"phone number", "company name", "lifecycle stage", "contact owner",
                   "unsubscribed from all email", "create date", "record id"}),
    ),
    "pipedrive": Preset(
        "pipedrive", "Pipedrive", PIPEDRIVE, PIPEDRIVE_PATTERNS,
        frozenset({"person name", "person email", "person phone", "person organization",
                   "person labels"}),
    ),
    "plain": Preset("plain", "Plain headers (name, email, phone, company, ...)", {}),
}  # fmt: skip
ALIASES = {"google-current": "google", "legacy-google": "google-legacy", "csv": "plain"}


def get_preset(name: str) -> Preset:
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in PRESETS:
        raise Invalid(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return PRESETS[key]


def detect_preset(header: list[str]) -> Preset:
    """The preset whose tell-tale headers appear most (at least two), else plain."""
    keys = {header_key(h) for h in header}
    scored = [(len(p.signature & keys), p) for p in PRESETS.values() if p.signature]
    best_score, best = max(scored, key=lambda item: item[0])
    return best if best_score >= 2 else PRESETS["plain"]


@dataclass
class ColumnMap:
    """Which field each column feeds, and the columns nothing will read."""

    preset: Preset
    fields: list[str | None]
    ignored: list[str]


def map_columns(
    header: list[str],
    preset: Preset,
    overrides: dict[str, str] | None = None,
    keep_unknown: bool = False,
    allowed: tuple[str, ...] = CONTACT_FIELDS,
    *,
    strict: bool = True,
) -> ColumnMap:
    """One target field (or None) per column; `--map "Column=field"` wins over the preset.
    `strict`: a --map of a column the header lacks is refused (not for a JSON record's keys
    after the first record's: it names a key of another record)."""
    by_key = {header_key(k): v.strip() for k, v in (overrides or {}).items()}
    # deals and interactions have no custom fields: a column sent there would be lost
    custom = "custom_fields" in allowed
    for column, target in by_key.items():
        if target.startswith("custom:") and not custom:
            raise Invalid(
                f"--map {column}={target}: these records have no custom fields; use one of "
                f"{', '.join(allowed)} or ignore"
            )
        if target not in allowed and target != "ignore" and not target.startswith("custom:"):
            choices = ", ".join(allowed) + (", custom:NAME" if custom else "")
            raise Invalid(f"--map {column}={target}: unknown field; use one of {choices} or ignore")
    present = {header_key(column) for column in header}
    for column, target in (overrides or {}).items() if strict else ():
        if header_key(column) not in present:
            named = ", ".join(c for c in header if c.strip())
            raise Invalid(f"--map {column}={target}: the file has no column {column!r} ({named})")
    fields: list[str | None] = []
    ignored: list[str] = []
    for column in header:
        key = header_key(column)
        target = by_key.get(key) or preset.field_for(column)
        if target is not None and target not in allowed and not target.startswith("custom:"):
            target = None if target != "ignore" else "ignore"
        if target is not None and target.startswith("custom:") and not custom:
            target = None
        if key in ("crm line", "crm error"):
            target = "ignore"
        if target is None:
            if keep_unknown and column.strip():
                target = f"custom:{column.strip()}"
            elif column.strip():
                ignored.append(column)
        fields.append(None if target == "ignore" else target)
    return ColumnMap(preset=preset, fields=fields, ignored=ignored)


def describe_presets() -> list[dict[str, str]]:
    """Every preset with the columns it reads, for `crm import presets`."""
    rows = []
    for preset in PRESETS.values():
        columns = preset.columns or PLAIN
        for column, target in columns.items():
            if target != "ignore":
                rows.append({"preset": preset.name, "column": column, "field": target})
        for pattern, target in preset.patterns:
            if target != "ignore":
                rows.append({"preset": preset.name, "column": f"/{pattern}/", "field": target})
    return rows
