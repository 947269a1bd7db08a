"""Reports: interactions counted per UTC day, kind and user, kept by triggers.

A month's interactions by kind and user are then the counts of its whole days plus the
interactions of the part-days at its ends (a local month starts at local midnight): a few hundred
rows, where counting the month's interactions read every one of them. Triggers keep the counts
in the same transaction as every write, whichever path makes it (logging, imports, undo, the
deletes a contact's delete takes with it, copies). It is derived data, not a model: `crm db copy`
leaves it to the target's triggers.
"""

from crmtui.core.migrations.daycounts import DayCounts

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INTERACTION_DAY = DayCounts(
    name="interaction_day",
    source="interaction",
    when="occurred_at",
    keys={"kind": "{row}kind", "user_key": "coalesce({row}user_id, 0)"},
    count="interactions",
    watched=("kind", "user_id", "occurred_at"),
)


def upgrade() -> None:
    INTERACTION_DAY.create({"kind": "VARCHAR", "user_key": "INTEGER"})


def downgrade() -> None:
    INTERACTION_DAY.drop()
