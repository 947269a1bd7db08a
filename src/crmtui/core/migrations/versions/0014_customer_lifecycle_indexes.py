"""Reports: the two lifecycle indexes hold only the changes into or out of the customer stages.

The monthly report reads lifecycle changes only where a contact became a customer or stopped
being one (`CUSTOMER_STAGES` in core/choices.py: customer, evangelist). Every other change, most
of them (each new contact's first stage, every move between lead stages), now stays out of the
two indexes: on the million-contact demo they hold 300,000 entries instead of 5.1 million, and
an import of a million leads adds none. Should the customer stages change, these must too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_lifecycle_change_to_changed": ["to_stage", "changed_at", "from_stage", "contact_id"],
    "ix_lifecycle_change_from_changed": ["from_stage", "changed_at", "to_stage", "contact_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        customer = sa.text(f"{columns[0]} IN ('customer', 'evangelist')")
        op.drop_index(name, table_name="lifecycle_change")
        op.create_index(
            name, "lifecycle_change", columns, sqlite_where=customer, postgresql_where=customer
        )


def downgrade() -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name="lifecycle_change")
        op.create_index(name, "lifecycle_change", columns)
