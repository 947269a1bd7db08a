"""Reports: contacts counted per UTC day of creation, owner and lifecycle stage, kept by triggers.

The contacts there are, those created in a month, the total at a month's end and today's
customers are then sums of a few thousand rows plus the contacts of a part-day, where each
counted up to a million index entries. Triggers keep the counts in the same transaction as every
write (adding, imports, edits of the owner or stage, deletes, undo, copies). It is derived data,
not a model: `crm db copy` leaves it to the target's triggers.
"""

from crmtui.core.migrations.daycounts import DayCounts

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONTACT_DAY = DayCounts(
    name="contact_day",
    source="contact",
    when="created_at",
    keys={"owner_key": "coalesce({row}owner_id, 0)", "stage": "coalesce({row}lifecycle_stage, '')"},
    count="contacts",
    watched=("created_at", "owner_id", "lifecycle_stage"),
)


def upgrade() -> None:
    CONTACT_DAY.create({"owner_key": "INTEGER", "stage": "VARCHAR"})


def downgrade() -> None:
    CONTACT_DAY.drop()
