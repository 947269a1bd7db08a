"""The demo database: deterministic, realistic rows bulk-inserted into a file of its own."""

import contextlib
import glob
import json
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from crmtui.core.contacts import build_contact_search_text
from crmtui.core.errors import Conflict, Invalid, OperationalError
from crmtui.core.text import email_key, fold, phone_key, search_text

DEMO_SEED_KEY = "demo_seed"
CONTACTS_PER_COMPANY = 8
CHUNK_CONTACTS = 5_000
PROGRESS_EVERY_S = 3.0
BUILD_CACHE_KIB = 262_144
FTS_TABLES = ("contact", "company", "deal")
DAY = 86_400
HISTORY_DAYS = 548  # about 18 months
# How long things take, in days, drawn evenly between the bounds. Every step of a contact's or a
# deal's history comes a while after the one before, and whatever would come after today has not
# happened yet: so each month holds its share of the history, as in a business that keeps going,
# instead of the last weeks holding most of it.
LIFECYCLE_STEP_DAYS = (3, 45)  # lead to qualified to opportunity to customer, each step
CUSTOMER_STEP_DAYS = (30, 330)  # customer to evangelist or former customer
DEAL_STEP_DAYS = (2, 30)  # an open deal's moves from stage to stage
ACTIVE_DAYS = 270  # a contact's interactions fall in its first ACTIVE_DAYS
MAX_INTERACTIONS = 13  # drawn evenly from 0 to this; those after today are dropped
SQLITE_HEADER = b"SQLite format 3\x00"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

USERS = [("sam", "Sam Carter"), ("kim", "Kim Nguyễn"), ("alex", "Alex Müller"), ("noor", "Noor Haddad")]  # fmt: skip


def _words(text: str) -> list[str]:
    """A list written as `a | b | c`: keeps the tables below short."""
    return [word.strip() for word in text.split("|")]


def _names(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _names(
    "Zoë Łukasz Søren François José Björn Chloé Amélie Jürgen Siobhán Raphaël Mónica Inés Jérôme "
    "Håkon Małgorzata Ágnes Noémie Çağla Tomáš Jiří Renée Gaëlle Anaïs Ólafur Þóra Sébastien "
    "Hélène Léa Íñigo Núria Bartłomiej Oğuz Dagný Åsa "
    "James Mary John Patricia Robert Jennifer Michael Linda David Sarah Daniel Emma Oliver Sophie "
    "Liam Olivia Noah Ava Lucas Mia Ethan Grace Ada Alan Maya Omar Fatima Hiroshi Yuki Priya Arjun "
    "Wei Mei Kwame Amara Sven Lars Anna Marco Giulia Pedro Carmen Hannah Tom Nina Leo Ivan Olga "
    "Aisha Samuel Zoe Nadia Tariq"
)
LAST_NAMES = [
    *_names(
        "Núñez Müller Lefèvre Søndergaard Wiśniewski Wójcik Jørgensen Østergaard Çelik Yılmaz Şahin "
        "Gómez Pérez Martínez Rodríguez Sánchez Hernández González López Díaz Muñoz Álvarez "
        "Gonçalves Araújo Magalhães Dvořák Černý Procházka Kovačević Petrović Horváth Szabó Tóth "
        "Åberg Löfgren Strömberg Häkkinen Mäkelä Côté Bélanger Gagné Lévesque Weiß Krüger O'Connor "
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Wilson Taylor Anderson Thomas Moore "
        "Martin Lee Clark Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill "
        "Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart "
        "Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox "
        "Richardson Wood Watson Brooks Bennett Gray Hughes Price Patel Kim Nguyen Chen Wang Singh "
        "Khan Ali Tanaka Sato Suzuki Okafor Mensah Rossi Bianchi Romano Schmidt Schneider Fischer "
        "Weber Wagner Becker Hoffmann Novak Kowalski Nowak Jensen Hansen Nielsen Larsen Andersson "
        "Johansson Karlsson Dubois Moreau Laurent Fernandes Silva Santos Costa Oliveira Pereira"
    ),
    "van Dijk",
    "de la Cruz",
]
# city, region, country, calling code, area code
PLACES = [
    tuple(_words(place))
    for place in (
        "London | England | United Kingdom | 44 | 20",
        "Manchester | England | United Kingdom | 44 | 161",
        "Dublin | Leinster | Ireland | 353 | 1",
        "Paris | Île-de-France | France | 33 | 1",
        "Lyon | Auvergne-Rhône-Alpes | France | 33 | 4",
        "Montréal | Québec | Canada | 1 | 514",
        "Toronto | Ontario | Canada | 1 | 416",
        "New York | NY | United States | 1 | 212",
        "Austin | TX | United States | 1 | 512",
        "Berlin | Berlin | Germany | 49 | 30",
        "München | Bayern | Germany | 49 | 89",
        "Zürich | Zürich | Switzerland | 41 | 44",
        "Wien | Wien | Austria | 43 | 1",
        "Kraków | Małopolska | Poland | 48 | 12",
        "København | Hovedstaden | Denmark | 45 | ",
        "Malmö | Skåne | Sweden | 46 | 40",
        "Göteborg | Västra Götaland | Sweden | 46 | 31",
        "Oslo | Oslo | Norway | 47 | ",
        "Reykjavík | Höfuðborgarsvæðið | Iceland | 354 | ",
        "Helsinki | Uusimaa | Finland | 358 | 9",
        "Madrid | Madrid | Spain | 34 | 91",
        "A Coruña | Galicia | Spain | 34 | 981",
        "Lisboa | Lisboa | Portugal | 351 | 21",
        "São Paulo | SP | Brazil | 55 | 11",
        "Ciudad de México | CDMX | Mexico | 52 | 55",
        "Praha | Praha | Czechia | 420 | ",
        "Budapest | Budapest | Hungary | 36 | 1",
        "İstanbul | İstanbul | Türkiye | 90 | 212",
        "Milano | Lombardia | Italy | 39 | 02",
        "Amsterdam | Noord-Holland | Netherlands | 31 | 20",
        "Sydney | NSW | Australia | 61 | 2",
        "Tokyo | Tokyo | Japan | 81 | 3",
        "Lagos | Lagos | Nigeria | 234 | 1",
        "Accra | Greater Accra | Ghana | 233 | 30",
    )
]
STREETS = _words(
    "High Street | Rue de Rivoli | Hauptstraße | Calle Mayor | Nørregade | ulica Długa | "
    "Avenida Paulista | Drottninggatan | Rua Augusta | Bahnhofstrasse | Via Roma | Main Street | "
    "Keizersgracht | Váci utca | Rue Saint-Denis | Königsallee | Karl Johans gate"
)
COMPANY_FIRST = _words(
    "Acme | Nordlicht | Blue Harbor | Brightwater | Cedar | Copperfield | Crescent | Delta | "
    "Evergreen | Falcon | Fjord | Granite | Helios | Horizon | Ironwood | Juniper | Keystone | "
    "Lumen | Maple | Meridian | Nimbus | Northwind | Oakridge | Orion | Pinnacle | Polaris | "
    "Quartz | Redwood | Riverside | Sapphire | Silverline | Summit | Sunrise | Tidewater | "
    "Timberline | Vertex | Westbrook | Zenith | Café Lumière | Müller & Söhne | Østbye | "
    "Château Rouge | Søholm | Öresund | Björkvik | Élan | Crème de la Crème | Grüne Wiese | Bodø | "
    "Ñandú | Añil | Ærø | Łąka | Brückner"
)
# second word of a company name -> its industry
COMPANY_SECOND = dict(
    pair.split(": ")
    for pair in _words(
        "Analytics: Software | Logistics: Logistics | Foods: Food & Beverage | Systems: Software | "
        "Solutions: Consulting | Consulting: Consulting | Labs: Research | Studio: Media | "
        "Partners: Finance | Energy: Energy | Health: Healthcare | Robotics: Manufacturing | "
        "Media: Media | Textiles: Manufacturing | Software: Software | Capital: Finance | "
        "Design: Media | Engineering: Manufacturing | Interiors: Retail | Motors: Manufacturing | "
        "Pharma: Healthcare | Retail: Retail | Travel: Travel | Ventures: Finance | "
        "Works: Manufacturing | Trading: Retail | Bakery: Food & Beverage | "
        "Brewing: Food & Beverage | Networks: Telecom | Academy: Education"
    )
)
COMPANY_SUFFIX = _words(
    "Ltd | GmbH | SA | AB | AS | Inc. | LLC | S.L. | Oy | sp. z o.o. | BV | SARL"
)
COMPANY_SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
COMPANY_NOTES = ["Key account", "Reseller in the region", "Pays on 60 days", "Met at a trade fair"]
PERSONAL_DOMAINS = ["example.com", "example.org", "example.net"]
JOB_TITLES = _words(
    "CEO | CTO | CFO | Founder | Head of Sales | Sales Manager | Account Executive | "
    "Marketing Manager | Office Manager | Procurement Lead | Software Engineer | "
    "Operations Director | Product Manager | HR Business Partner | Customer Success Manager | "
    "Directrice commerciale | Geschäftsführer | Ingénieure | Jefa de compras | Buyer"
)
SOURCES = ["website", "referral", "event", "import", "linkedin", "cold outreach", "webinar"]
CONTACT_NOTES = _words(
    "Prefers email over calls | Met at the Lisbon trade fair | Speaks French and German | "
    "Decision maker for the EU region | Ask about the new warehouse | Introduced by a partner"
)
CONTACT_TAGS = _words(
    "newsletter | referral | conference | webinar | beta-tester | decision-maker | à-relancer"
)
COMPANY_TAGS = ["enterprise", "smb", "partner"]
DEAL_TAGS = ["new-business", "renewal", "upsell"]
TAGS = [*CONTACT_TAGS, "vip", "churn-risk", *COMPANY_TAGS, *DEAL_TAGS]
# the lifecycle stage a contact is heading for, and how often (percent); the young have not
# got there yet
LIFECYCLE_WEIGHTS = {
    "subscriber": 15, "lead": 25, "marketing_qualified": 12, "sales_qualified": 8,
    "opportunity": 8, "customer": 18, "evangelist": 4, "former_customer": 6, "other": 4,
}  # fmt: skip
LATE_STAGES = ("evangelist", "former_customer")
LIFECYCLE_CHOICES = [stage for stage, weight in LIFECYCLE_WEIGHTS.items() for _ in range(weight)]
CONSENT_SOURCES = {
    "subscribed": ["web form", "event sign-up", "import"],
    "unsubscribed": ["unsubscribe link", "asked by phone"],
}
KINDS = ["email"] * 7 + ["call"] * 5 + ["meeting"] * 3 + ["note"] * 3 + ["chat"] * 2
SUBJECTS = {
    "call": _words(
        "Intro call | Discovery call | Follow-up call | Pricing questions | Check-in | "
        "Renewal call | Support escalation"
    ),
    "email": _words(
        "Sent proposal | Re: onboarding | Welcome email | Invoice question | Meeting recap | "
        "Newsletter reply | Contract draft"
    ),
    "meeting": _words(
        "Product demo | Quarterly review | Kick-off meeting | Lunch | Workshop | On-site visit"
    ),
    "note": _words(
        "Prefers mornings | Budget approved for next quarter | Moving to a new role soon | "
        "Asked for references | Evaluating competitors"
    ),
    "chat": _words(
        "Quick question on pricing | Integration question | Asked for a call back | "
        "Shared the docs link"
    ),
}
OUTCOMES = {
    "call": ["connected", "connected", "left voicemail", "no answer", "call back later"],
    "meeting": ["went well", "needs follow-up", "no decision yet"],
    "email": [None, None, "replied", "no reply"],
    "chat": [None, "resolved"],
    "note": [None],
}
BODIES = [
    None,
    None,
    None,
    "Discussed the roll-out plan; they want a pilot first.",
    "Agreed next steps: send the revised quote by Friday.",
    "Mentioned that the budget is decided in the spring.",
    "Café chat after the event; very interested in the reporting module.",
]
PRODUCTS = _words(
    "Annual licence | Starter plan | Pro plan | Enterprise plan | Onboarding package | "
    "Support renewal | Consulting days | Hardware bundle | Training workshop | Data migration"
)
CURRENCIES = ["EUR"] * 12 + ["USD"] * 5 + ["GBP"] * 3
LOST_REASONS = _words(
    "went with a competitor | no budget | bad timing | no decision | price too high | lost contact"
)
TASK_TITLES = _words(
    "Call {first} back | Send proposal to {first} | Follow up with {name} | "
    "Book a demo with {first} | Prepare renewal offer for {name} | Send invoice to {first} | "
    "Check contract status with {first} | Update contact details for {name}"
)
PRIORITIES = ["low", "normal", "normal", "normal", "high"]

COLUMNS = {
    "user": ("id", "username", "name", "email", "active", "created_at", "updated_at"),
    "tag": ("id", "name", "name_key", "created_at", "updated_at"),
    "company": (
        "id", "name", "name_key", "domain", "industry", "size", "street", "city", "region",
        "postal_code", "country", "website", "notes", "owner_id", "custom_fields", "search_text",
        "version", "created_at", "updated_at",
    ),
    "company_tag": ("company_id", "tag_id"),
    "contact": (
        "id", "first_name", "last_name", "display_name", "sort_key", "email", "phone", "job_title",
        "company_id", "birthday_year", "birthday_month", "birthday_day", "street", "city",
        "region", "postal_code", "country", "website", "notes", "source", "lifecycle_stage",
        "owner_id", "email_consent", "consent_at", "consent_source", "do_not_contact",
        "custom_fields", "last_contacted_at", "search_text", "version", "created_by_id",
        "created_at", "updated_at",
    ),
    "contact_email": ("contact_id", "email", "email_key", "label", "is_primary", "created_at", "updated_at"),  # fmt: skip
    "contact_phone": ("contact_id", "phone", "phone_key", "label", "is_primary", "created_at", "updated_at"),  # fmt: skip
    "contact_tag": ("contact_id", "tag_id"),
    "lifecycle_change": ("contact_id", "from_stage", "to_stage", "changed_at", "user_id"),
    "deal": (
        "id", "title", "contact_id", "company_id", "pipeline_id", "stage_id", "amount_units",
        "currency", "expected_close", "owner_id", "status", "closed_at", "lost_reason",
        "stage_entered_at", "notes", "search_text", "version", "created_by_id", "created_at",
        "updated_at",
    ),
    "deal_stage_change": ("deal_id", "from_stage_id", "to_stage_id", "changed_at", "user_id"),
    "deal_tag": ("deal_id", "tag_id"),
    "interaction": (
        "contact_id", "deal_id", "kind", "direction", "occurred_at", "duration_seconds", "subject",
        "body", "outcome", "user_id", "created_at", "updated_at",
    ),
    "task": (
        "title", "due_at", "contact_id", "deal_id", "priority", "assignee_id", "done_at", "notes",
        "created_by_id", "created_at", "updated_at",
    ),
}  # fmt: skip
# the order rows are written in, parents before children
TABLE_ORDER = tuple(COLUMNS)


def insert_sql(table: str) -> str:
    columns = COLUMNS[table]
    return f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'


@dataclass(frozen=True)
class PipelineStages:
    """The ids of the default pipeline's stages, as the migration created them."""

    pipeline_id: int
    open: tuple[int, ...]
    won: int
    lost: int

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "PipelineStages":
        rows = conn.execute(
            "SELECT s.pipeline_id, s.id, s.kind FROM stage s JOIN pipeline p ON p.id = s.pipeline_id "
            "WHERE p.name_key = 'sales' ORDER BY s.position"
        ).fetchall()
        if not rows:
            raise OperationalError("the demo needs the default pipeline 'Sales'")
        return cls(
            pipeline_id=rows[0][0],
            open=tuple(r[1] for r in rows if r[2] == "open"),
            won=next(r[1] for r in rows if r[2] == "won"),
            lost=next(r[1] for r in rows if r[2] == "lost"),
        )


class Clock:
    """Seconds since the epoch as UTCDateTime stores them (`2026-01-02 03:04:05.000000`)."""

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first_day = first_day
        self.days = [
            (date(1970, 1, 1) + timedelta(days=d)).isoformat() + " "
            for d in range(first_day, last_day + 1)
        ]
        self.minutes = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
        self.seconds = [f"{s:02d}.000000" for s in range(60)]

    def text(self, t: int) -> str:
        day, rest = divmod(t, DAY)
        minute, second = divmod(rest, 60)
        return self.days[day - self.first_day] + self.minutes[minute] + self.seconds[second]


@dataclass
class Counts:
    """How many rows of each table the generator produced."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_ORDER, 0))

    def add(self, table: str, n: int) -> None:
        self.rows[table] += n


def _slug(text: str) -> str:
    return _NOT_SLUG.sub("-", fold(text)).strip("-")


def _local_part(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isascii() and ch.isalnum())


class DemoRows:
    """Generates the demo's rows table by table, a chunk of contacts at a time (memory stays flat).

    Everything is drawn from one seeded random generator in a fixed order, so the same seed,
    size and day give the same rows. Ids are assigned here, so rows reference each other freely.
    """

    def __init__(
        self, contacts: int, seed: int, stages: PipelineStages, today: date | None = None
    ) -> None:
        self.n_contacts = contacts
        self.n_companies = max(1, contacts // CONTACTS_PER_COMPANY)
        self.seed = seed
        self.stages = stages
        self.today = today or datetime.now(UTC).date()
        # everything happens before midnight UTC starting `today`, except what is due later
        self.now = int(datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC).timestamp())  # fmt: skip
        self.start = self.now - HISTORY_DAYS * DAY
        self.clock = Clock(self.start // DAY - 200, self.now // DAY + 400)
        self.rng = random.Random(seed)
        self.counts = Counts()
        self.tag_ids = {name: i + 1 for i, name in enumerate(TAGS)}
        self.user_ids = list(range(1, len(USERS) + 1))
        self.first = [(name, fold(name), _local_part(name)) for name in FIRST_NAMES]
        self.last = [(name, fold(name), _local_part(name)) for name in LAST_NAMES]
        self.company_names: list[str] = []
        self.company_domains: list[str] = []
        self.next_deal_id = 1

    def batches(self, chunk: int | None = None) -> Iterator[tuple[str, list[tuple]]]:
        """(table, rows) in insertion order: users, tags, companies, then contacts by chunk."""
        yield from self._emit(self._users_and_tags())
        yield from self._emit(self._companies())
        chunk = chunk or CHUNK_CONTACTS
        for first in range(1, self.n_contacts + 1, chunk):
            yield from self._emit(self._contacts(first, min(first + chunk, self.n_contacts + 1)))

    def _emit(self, tables: dict[str, list[tuple]]) -> Iterator[tuple[str, list[tuple]]]:
        for table in TABLE_ORDER:
            rows = tables.get(table)
            if rows:
                self.counts.add(table, len(rows))
                yield table, rows

    def _users_and_tags(self) -> dict[str, list[tuple]]:
        at = self.clock.text(self.start - 120 * DAY)
        users = [
            (i, username, name, f"{username}@crm.example", 1, at, at)
            for i, (username, name) in enumerate(USERS, start=1)
        ]
        tags = [(self.tag_ids[name], name, fold(name), at, at) for name in TAGS]
        return {"user": users, "tag": tags}

    def _companies(self) -> dict[str, list[tuple]]:
        rng, r = self.rng, self.rng.random
        second_words = list(COMPANY_SECOND)
        combos = len(COMPANY_FIRST) * len(second_words) * len(COMPANY_SUFFIX)
        step = next(s for s in range(7919, combos + 7919) if _coprime(s, combos))
        span = self.now - 30 * DAY - (self.start - 90 * DAY)
        rows, tag_rows = [], []
        for i in range(self.n_companies):
            j, generation = (i * step) % combos, i // combos
            first = COMPANY_FIRST[j % len(COMPANY_FIRST)]
            second = second_words[(j // len(COMPANY_FIRST)) % len(second_words)]
            suffix = COMPANY_SUFFIX[j // (len(COMPANY_FIRST) * len(second_words))]
            middle = f"{first} {second}"
            if generation:
                extra = (
                    PLACES[generation - 1][0]
                    if generation <= len(PLACES)
                    else str(generation - len(PLACES) + 1)
                )
                middle = f"{middle} {extra}"
            name = f"{middle} {suffix}"
            domain = _slug(middle) + ".example"
            self.company_names.append(name)
            self.company_domains.append(domain)
            city, region, country, _, _ = PLACES[int(r() * len(PLACES))]
            created = self.clock.text(self.start - 90 * DAY + int(span * (i + r()) / self.n_companies))  # fmt: skip
            has_address = r() < 0.6
            rows.append((
                i + 1, name, fold(name), domain, COMPANY_SECOND[second],
                COMPANY_SIZES[int(r() ** 1.5 * len(COMPANY_SIZES))],
                f"{1 + int(r() * 180)} {rng.choice(STREETS)}" if has_address else None,
                city, region if has_address else None,
                f"{int(r() * 90000) + 10000}" if has_address else None, country,
                f"https://{domain}", rng.choice(COMPANY_NOTES) if r() < 0.1 else None,
                self.user_ids[int(r() * len(self.user_ids))], "{}", search_text(name), 1,
                created, created,
            ))  # fmt: skip
            if r() < 0.35:
                tag_rows.append((i + 1, self.tag_ids[rng.choice(COMPANY_TAGS)]))
        return {"company": rows, "company_tag": tag_rows}

    def _contacts(self, first_id: int, stop_id: int) -> dict[str, list[tuple]]:
        t = {table: [] for table in TABLE_ORDER}
        for contact_id in range(first_id, stop_id):
            self._contact(contact_id, t)
        return t

    def _contact(self, cid: int, t: dict[str, list[tuple]]) -> None:
        r, ts = self.rng.random, self.clock.text
        now, users = self.now, self.user_ids
        first, first_key, first_local = self.first[int(r() * len(self.first))]
        last, last_key, last_local = self.last[int(r() * len(self.last))]
        display = f"{first} {last}"
        owner = users[int(r() * len(users))]
        created = self.start + int((now - DAY - self.start) * (cid - 1 + r()) / self.n_contacts)
        company = int(self.n_companies * r() ** 1.6) if r() < 0.75 else None
        company_name = self.company_names[company] if company is not None else None
        domain = (
            self.company_domains[company]
            if company is not None
            else PERSONAL_DOMAINS[int(r() * len(PERSONAL_DOMAINS))]
        )
        place = PLACES[int(r() * len(PLACES))]
        created_text = ts(created)

        emails = [f"{first_local}.{last_local}{cid}@{domain}"]
        if r() < 0.3:
            emails.append(f"{first_local}{cid}@{PERSONAL_DOMAINS[int(r() * 3)]}")
        phones = []
        if r() < 0.85:
            _, _, _, code, area = place
            if area:
                phones.append(f"+{code} {area} {100 + int(r() * 900)} {1000 + int(r() * 9000)}")
            else:
                phones.append(
                    f"+{code} {10 + int(r() * 90)} {10 + int(r() * 90)} {1000 + int(r() * 9000)}"
                )
            if r() < 0.35:
                phones.append(f"+{code} 7{int(r() * 10)}{int(r() * 10)} {100 + int(r() * 900)} {1000 + int(r() * 9000)}")  # fmt: skip
        for position, email in enumerate(emails):
            label = "work" if position == 0 and company is not None else "personal"
            t["contact_email"].append((cid, email, email_key(email), label, int(position == 0), created_text, created_text))  # fmt: skip
        for position, phone in enumerate(phones):
            label = "work" if position == 0 else "mobile"
            t["contact_phone"].append((cid, phone, phone_key(phone), label, int(position == 0), created_text, created_text))  # fmt: skip

        path = _lifecycle_path(LIFECYCLE_CHOICES[int(r() * len(LIFECYCLE_CHOICES))], r)
        times = [created]
        for step in path[1:]:
            low, high = CUSTOMER_STEP_DAYS if step in LATE_STAGES else LIFECYCLE_STEP_DAYS
            times.append(times[-1] + int(DAY * (low + r() * (high - low))))
        reached = sum(1 for at in times if at < now)
        path, times = path[:reached], times[:reached]
        stage = path[-1]
        for k, (to_stage, at) in enumerate(zip(path, times, strict=True)):
            t["lifecycle_change"].append((cid, path[k - 1] if k else None, to_stage, ts(at), owner))
        when = dict(zip(path, times, strict=True))

        self.person = _Person(cid, display, company, company_name, owner, created)
        deals = self._deals(stage, when, t)
        last_contacted = None
        moments = sorted(created + int(r() * ACTIVE_DAYS * DAY) for _ in range(int(r() * (MAX_INTERACTIONS + 1))))  # fmt: skip
        moments = [at for at in map(_working_hours, moments) if at < now]
        if moments:
            for at in moments:
                kind = KINDS[int(r() * len(KINDS))]
                deal_id = None
                if deals and r() < 0.4:
                    deal_id, deal_created = deals[int(r() * len(deals))]
                    if deal_created > at:
                        deal_id = None
                direction = "in" if kind in ("call", "email", "chat") and r() < 0.4 else "out"
                duration = (
                    60 * (2 + int(r() * 40)) if kind == "call"
                    else 60 * (15 + 15 * int(r() * 6)) if kind == "meeting"
                    else None
                )  # fmt: skip
                subjects, outcomes = SUBJECTS[kind], OUTCOMES[kind]
                at_text = ts(at)
                t["interaction"].append((
                    cid, deal_id, kind, direction, at_text, duration,
                    subjects[int(r() * len(subjects))],
                    BODIES[int(r() * len(BODIES))] if kind in ("note", "meeting") else None,
                    outcomes[int(r() * len(outcomes))], users[int(r() * len(users))],
                    at_text, at_text,
                ))  # fmt: skip
            last_contacted = ts(at)

        if r() < 0.3:
            self._task(cid, first, display, created, deals, owner, t)

        consent, consent_at, consent_source = "unknown", None, None
        do_not_contact = r() < 0.02
        roll = r()
        if do_not_contact or roll < 0.1:
            consent = "unsubscribed"
        elif roll < 0.5 or stage == "subscriber":
            consent = "subscribed"
        if consent != "unknown":
            consent_at = ts(created + int(r() * (now - created)))
            sources = CONSENT_SOURCES[consent]
            consent_source = sources[int(r() * len(sources))]

        tags = set()
        if r() < 0.4:
            tags.add(CONTACT_TAGS[int(r() * len(CONTACT_TAGS))])
            if r() < 0.25:
                tags.add(CONTACT_TAGS[int(r() * len(CONTACT_TAGS))])
        if consent == "subscribed" and r() < 0.5:
            tags.add("newsletter")
        if stage in ("customer", "evangelist") and r() < 0.15:
            tags.add("vip")
        if stage in ("customer", "former_customer") and r() < 0.2:
            tags.add("churn-risk")
        for name in sorted(tags):
            t["contact_tag"].append((cid, self.tag_ids[name]))

        birthday = (None, None, None)
        if r() < 0.35:
            birthday = (
                None if r() < 0.2 else 1955 + int(r() * 48),
                1 + int(r() * 12),
                1 + int(r() * 28),
            )
        has_address = r() < 0.4
        city, region, country = place[0], place[1], place[2]
        custom = "{}"
        if stage in ("customer", "evangelist", "former_customer"):
            custom = json.dumps({"plan": ("starter", "pro", "enterprise")[int(r() * 3)]})
        elif r() < 0.1:
            custom = json.dumps({"segment": ("retail", "public sector", "startup")[int(r() * 3)]})
        search = build_contact_search_text(display, emails, phones, company_name)
        t["contact"].append((
            cid, first, last, display, first_key + " " + last_key, emails[0],
            phones[0] if phones else None,
            JOB_TITLES[int(r() * len(JOB_TITLES))] if r() < 0.7 else None,
            company + 1 if company is not None else None, *birthday,
            f"{1 + int(r() * 200)} {STREETS[int(r() * len(STREETS))]}" if has_address else None,
            city if r() < 0.8 else None, region if has_address else None,
            f"{10000 + int(r() * 90000)}" if has_address else None, country,
            None, CONTACT_NOTES[int(r() * len(CONTACT_NOTES))] if r() < 0.1 else None,
            SOURCES[int(r() * len(SOURCES))] if r() < 0.9 else None, stage, owner, consent,
            consent_at, consent_source, int(do_not_contact), custom, last_contacted, search, 1,
            owner, created_text, ts(times[-1]),
        ))  # fmt: skip

    def _deals(
        self, stage: str, when: dict[str, int], t: dict[str, list[tuple]]
    ) -> list[tuple[int, int]]:
        """The contact's deals, consistent with its lifecycle; returns (id, created) pairs."""
        r, now, created = self.rng.random, self.now, self.person.created
        made = []
        opened = when.get("opportunity", when.get("sales_qualified", created))
        if "customer" in when:
            made.append(self._closed_deal("won", opened, when["customer"], "new-business", t))
            since = when["customer"]
            if stage == "former_customer" and r() < 0.4:
                made.append(self._closed_deal("lost", since, when["former_customer"], "renewal", t))  # fmt: skip
            elif stage != "former_customer" and r() < 0.3:
                outcome = ("open", "open", "open", "won", "lost")[int(r() * 5)]
                start = since + int(DAY * (20 + r() * 200))
                closing = start + int(DAY * (10 + r() * 80))
                if closing >= now:  # not decided yet
                    outcome = "open"
                if start < now:
                    made.append(self._deal(outcome, start, closing if outcome != "open" else None, "upsell", t))  # fmt: skip
        elif stage == "opportunity" or (stage == "sales_qualified" and r() < 0.4):
            start = opened + int(r() * min(now - 1 - opened, 14 * DAY))
            made.append(self._deal("open", start, None, None, t))
        elif stage in ("lead", "marketing_qualified") and r() < 0.08:
            start = created + int(r() * 30 * DAY)
            closing = start + int(DAY * (5 + r() * 60))
            if closing < now:
                made.append(self._deal("lost", start, closing, None, t))
        return made

    def _closed_deal(
        self, status: str, start: int, end: int, tag: str, t: dict[str, list[tuple]]
    ) -> tuple[int, int]:
        """A deal opened in the first third of `start`..`end` and closed in the day before `end`."""
        r = self.rng.random
        created = start + int(r() * (end - start) * 0.3)
        closing = end - 1 - int(r() * min(DAY, end - created - 2))
        return self._deal(status, created, closing, tag, t)

    def _deal(
        self,
        status: str,
        created: int,
        closing: int | None,
        tag: str | None,
        t: dict[str, list[tuple]],
    ) -> tuple[int, int]:
        """One deal created at `created`, closed at `closing` unless open, with its stage moves."""
        r, ts, stages = self.rng.random, self.clock.text, self.stages
        cid, display, company, company_name, owner, _ = self.person
        deal_id = self.next_deal_id
        self.next_deal_id += 1
        if status == "open":
            reached = min(len(stages.open) - 1, int(r() ** 0.8 * len(stages.open)))
            path = list(stages.open[: reached + 1])
            times = [created]
            low, high = DEAL_STEP_DAYS
            for _ in path[1:]:
                times.append(times[-1] + int(DAY * (low + r() * (high - low))))
            reached = sum(1 for at in times if at < self.now)
            path, times = path[:reached], times[:reached]
        else:
            if status == "won":
                path = list(stages.open[: 2 + int(r() * (len(stages.open) - 1))]) + [stages.won]
            else:
                path = list(stages.open[: 1 + int(r() * len(stages.open))]) + [stages.lost]
            moves = sorted(created + 1 + int(r() * (closing - created - 1)) for _ in path[1:-1])
            times = [created, *moves, closing]
        for k, (stage_id, at) in enumerate(zip(path, times, strict=True)):
            t["deal_stage_change"].append((deal_id, path[k - 1] if k else None, stage_id, ts(at), owner))  # fmt: skip
        currency = CURRENCIES[int(r() * len(CURRENCIES))]
        units = (500 + 50 * int(r() ** 2 * 1600)) * 10_000 + (0 if r() < 0.8 else 9_900)
        if status == "open":
            close_day = ts(self.now + DAY * (int(r() * 140) - 20))[:10]
        else:
            close_day = ts(closing)[:10]
        product = PRODUCTS[int(r() * len(PRODUCTS))]
        title = f"{product} for {company_name or display}"
        created_text = ts(created)
        t["deal"].append((
            deal_id, title, cid, company + 1 if company is not None else None,
            stages.pipeline_id, path[-1], units, currency, close_day, owner, status,
            ts(closing) if closing is not None else None,
            LOST_REASONS[int(r() * len(LOST_REASONS))] if status == "lost" else None,
            ts(times[-1]), None, search_text(title, display, company_name), 1, owner,
            created_text, ts(times[-1]),
        ))  # fmt: skip
        if tag and r() < 0.5:
            t["deal_tag"].append((deal_id, self.tag_ids[tag]))
        return deal_id, created

    def _task(
        self,
        cid: int,
        first: str,
        display: str,
        created: int,
        deals: list[tuple[int, int]],
        owner: int,
        t: dict[str, list[tuple]],
    ) -> None:
        r, ts, now = self.rng.random, self.clock.text, self.now
        roll = r()
        done_at = None
        # due at a time people set, on the quarter hour, in working hours (today's late
        # in the afternoon, so that it is still to come through most of the day)
        if roll < 0.45:  # done around its due date, unless that is still to come
            due = _on_the_quarter(_working_hours(created + int(r() * 120 * DAY)), created)
            done = max(created, due + int((r() - 0.5) * 4 * DAY))
            done_at = ts(done) if done < now else None
            made = created + int(r() * (due - created))
        elif roll < 0.6:  # overdue
            due = _working_hours(now - DAY + int(r() * DAY) - int(r() * 30) * DAY)
            due = _on_the_quarter(due, created)
            made = created + int(r() * (due - created))
        elif roll < 0.7:  # due today
            due = _on_the_quarter(now + 16 * 3600 + int(r() * 4 * 3600), created)
            made = created + int(r() * (now - created))
        else:  # upcoming
            due = now + DAY * (1 + int(r() * 30)) + 8 * 3600 + int(r() * 9 * 3600)
            due = _on_the_quarter(due, created)
            made = created + int(r() * (now - created))
        template = TASK_TITLES[int(r() * len(TASK_TITLES))]
        deal_id = deals[-1][0] if deals and r() < 0.5 else None
        made_text = ts(made)
        t["task"].append((
            template.format(first=first, name=display), ts(due), cid, deal_id,
            PRIORITIES[int(r() * len(PRIORITIES))], owner, done_at, None, owner, made_text,
            done_at or made_text,
        ))  # fmt: skip


class _Person(NamedTuple):
    id: int
    display: str
    company: int | None
    company_name: str | None
    owner: int
    created: int


def _working_hours(at: int) -> int:
    """The same moment of its day squeezed into 08:00-18:00: nobody logs calls at 3 am."""
    day, second = divmod(at, DAY)
    return day * DAY + 8 * 3600 + second * 10 // 24


def _on_the_quarter(at: int, after: int) -> int:
    """`at` on the quarter hour before it, or the one after if that falls before `after`."""
    quarter = at - at % 900
    return quarter if quarter > after else quarter + 900 * -(-(after - quarter + 1) // 900)


def _coprime(a: int, b: int) -> bool:
    while b:
        a, b = b, a % b
    return a == 1


def _lifecycle_path(stage: str, r: Callable[[], float]) -> list[str]:
    """The stages a contact went through to reach `stage`, in order."""
    if stage in ("subscriber", "other"):
        return [stage]
    path = ["subscriber"] if r() < 0.3 else []
    path.append("lead")
    order = ["marketing_qualified", "sales_qualified", "opportunity", "customer"]
    target = {"evangelist": "customer", "former_customer": "customer"}.get(stage, stage)
    if target in order:
        for step in order[: order.index(target) + 1]:
            if step == "marketing_qualified" and step != target and r() < 0.5:
                continue
            path.append(step)
    if stage in ("evangelist", "former_customer"):
        path.append(stage)
    return path


# ---------------------------------------------------------------------------------------------
# building the file


class _Progress:
    """Calls `report` at most every few seconds; a quick build says nothing."""

    def __init__(self, report: Callable[[str], None] | None) -> None:
        self.report = report
        self.started = self.last = time.monotonic()

    def __call__(self, text: str, *, phase: bool = False) -> None:
        if self.report is None:
            return
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or (phase and now - self.started >= PROGRESS_EVERY_S):  # fmt: skip
            self.last = now
            self.report(text)


def existing_demo(path: Path) -> dict[str, str] | None:
    """The demo settings of the file at `path`; None when there is nothing there to keep.

    Raises when the file holds anything but a demo, without changing it.
    """
    if not path.exists():
        return None
    if path.is_dir():
        raise OperationalError(f"{path} is a directory, not a database file")
    if path.stat().st_size == 0:
        return None
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise OperationalError(f"{path} is not a database: refusing to replace it with a demo")
    try:
        # read-write so that SQLite removes the -wal and -shm files it creates when it closes
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only=ON")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}  # fmt: skip
            settings = (
                dict(conn.execute("SELECT key, value FROM setting WHERE key LIKE 'demo%'"))
                if "setting" in tables
                else {}
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise OperationalError(f"cannot read {path}: {exc}") from exc
    if DEMO_SEED_KEY in settings:
        return settings
    if tables:
        raise Conflict(
            f"{path} holds a database that is not a crm demo: refusing to replace it "
            "(give the demo another file with --db)"
        )
    return None


def build_demo(
    path: Path,
    *,
    contacts: int = 500,
    seed: int = 1,
    fresh: bool = False,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> str:
    """Build the demo database at `path` (or reuse the one there); returns a one-line summary.

    The file is built next to `path` and moved into place when complete, so an interrupted
    build leaves nothing behind and `fresh` keeps the old demo until the new one is ready.
    History runs up to `today` (UTC, by default the current day): the same seed, size and day
    give the same rows.
    """
    path = Path(path).expanduser()
    if contacts < 1:
        raise Invalid("a demo needs at least one contact")
    found = existing_demo(path)
    if found is not None and not fresh:
        size = found.get("demo_contacts", "?")
        size = f"{int(size):,}" if size.isdigit() else size
        return (
            f"reusing the demo at {path} ({size} contacts, seed {found[DEMO_SEED_KEY]}); "
            "--fresh rebuilds it"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(path)
    building = path.with_name(f".{path.name}.{os.getpid()}.building")
    report = _Progress(progress)
    started = time.monotonic()
    try:
        counts = _build(building, contacts, seed, today, report)
        _remove_database_files(path)
        os.replace(building, path)
    except BaseException:
        _remove_database_files(building)
        raise
    rows = counts.rows
    return (
        f"built the demo at {path} in {time.monotonic() - started:.1f} s: {rows['contact']:,} "
        f"contacts, {rows['company']:,} companies, {rows['deal']:,} deals, "
        f"{rows['interaction']:,} interactions, {rows['task']:,} tasks (seed {seed})"
    )


def _remove_abandoned_builds(path: Path) -> None:
    """Delete what builds of this demo left when their process was killed (they can be GBs)."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.building"):
        pid = leftover.name[len(path.name) + 2 : -len(".building")]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_database_files(leftover)


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would interrupt the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build(path: Path, contacts: int, seed: int, today: date | None, report: _Progress) -> Counts:
    from crmtui.core.db import Database, sqlite_url, translate_db_errors

    report("creating the schema", phase=True)
    db = Database(sqlite_url(path))
    try:
        with translate_db_errors(db.url):
            raw = db.engine.raw_connection()
            try:
                return _fill(raw.driver_connection, contacts, seed, today, report)
            finally:
                raw.close()
    finally:
        db.dispose()


def _fill(
    conn: sqlite3.Connection, contacts: int, seed: int, today: date | None, report: _Progress
) -> Counts:
    """Insert every row in one transaction, then index the searchable text in one pass."""
    conn.execute("PRAGMA journal_mode=OFF")  # a scratch file: on failure it is deleted
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys=OFF")  # the generator assigns every id it references
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = DemoRows(contacts, seed, PipelineStages.read(conn), today)
        triggers = _drop_insert_triggers(conn)
        sql = {table: insert_sql(table) for table in TABLE_ORDER}
        for table, batch in rows.batches():
            conn.executemany(sql[table], batch)
            if table == "task" or table == "interaction":
                report(f"{rows.counts.rows['contact']:,} of {contacts:,} contacts")
        report("indexing for search", phase=True)
        for table in FTS_TABLES:
            conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        for ddl in triggers:
            conn.execute(ddl)
        conn.executemany(
            "INSERT INTO setting (key, value) VALUES (?, ?)",
            [
                (DEMO_SEED_KEY, str(seed)),
                ("demo_contacts", str(contacts)),
                ("demo_date", rows.today.isoformat()),
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA cache_size=-2000")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    return rows.counts


def _drop_insert_triggers(conn: sqlite3.Connection) -> list[str]:
    """Drop the FTS insert triggers (a per-row cost); returns their DDL, as the migration made it."""
    names = [f"{table}_fts_ai" for table in FTS_TABLES]
    marks = ", ".join("?" * len(names))
    found = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", names
    ).fetchall()
    if len(found) != len(names):
        raise OperationalError("the search index triggers are missing from the schema")
    for name, _ in found:
        conn.execute(f"DROP TRIGGER {name}")
    return [ddl for _, ddl in found]
