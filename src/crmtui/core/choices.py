"""The values a choice column may hold, known without building the models."""

from crmtui.core.errors import Invalid

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketing_qualified",
    "sales_qualified",
    "opportunity",
    "customer",
    "evangelist",
    "former_customer",
    "other",
)
CUSTOMER_STAGES = ("customer", "evangelist")
CONSENT_STATES = ("subscribed", "unsubscribed", "unknown")
INTERACTION_KINDS = ("call", "email", "meeting", "note", "chat")
DIRECTIONS = ("in", "out")
DEAL_STATUSES = ("open", "won", "lost")
STAGE_KINDS = ("open", "won", "lost")
TASK_PRIORITIES = ("low", "normal", "high")


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    value = value.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in choices:
        raise Invalid(f"invalid {what} {value!r}: choose one of {', '.join(choices)}")
    return value
