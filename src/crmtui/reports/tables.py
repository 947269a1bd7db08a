"""Light Core views of the columns the reports read, so a one-shot report builds no ORM models."""

from sqlalchemy import BigInteger, Date, Integer, String, column, table

from crmtui.core.types import UTCDateTime

# models.py is the schema; these name a few of its columns for reading (tests check they match).
# Building the SQLModel classes costs a `crm report` process about as much as its queries.


def _id(name: str = "id"):
    return column(name, Integer)


def _when(name: str):
    return column(name, UTCDateTime())


def _text(name: str):
    return column(name, String)


contact = table(
    "contact", _id(), _text("display_name"), _text("lifecycle_stage"), _id("owner_id"),
    _when("created_at"),
)  # fmt: skip
company = table("company", _id(), _text("name"))
deal = table(
    "deal", _id(), _id("contact_id"), _id("company_id"), _id("stage_id"),
    column("amount_units", BigInteger), _text("currency"), _id("owner_id"), _text("status"),
    _when("closed_at"), _when("created_at"),
)  # fmt: skip
deal_stage_change = table(
    "deal_stage_change", _id("deal_id"), _id("from_stage_id"), _id("to_stage_id"),
    _when("changed_at"),
)  # fmt: skip
interaction = table("interaction", _text("kind"), _id("user_id"), _when("occurred_at"))
lifecycle_change = table(
    "lifecycle_change", _id("contact_id"), _text("from_stage"), _text("to_stage"),
    _when("changed_at"),
)  # fmt: skip
task = table("task", _id("assignee_id"), _when("due_at"), _when("done_at"))
user = table("user", _id(), _text("username"))
# derived data kept by triggers (migrations 0009-0011), not models: per UTC day, deal moves per
# owner and stage, interactions per kind and user, contacts created per owner and stage
pipeline_flow = table(
    "pipeline_flow", column("day", Date), _id("owner_key"), _id("stage_id"), _text("currency"),
    column("deals", Integer), column("units", BigInteger),
)  # fmt: skip
contact_day = table(
    "contact_day",
    column("day", Date),
    _id("owner_key"),
    _text("stage"),
    column("contacts", Integer),
)
interaction_day = table(
    "interaction_day", column("day", Date), _text("kind"), _id("user_key"),
    column("interactions", Integer),
)  # fmt: skip
pipeline = table("pipeline", _id(), _text("name"), column("position", Integer))
stage = table(
    "stage", _id(), _id("pipeline_id"), _text("name"), column("probability", Integer),
    column("position", Integer), _text("kind"),
)  # fmt: skip
TABLES = (contact, company, deal, deal_stage_change, interaction, lifecycle_change, task, user,
          pipeline, stage)  # fmt: skip
