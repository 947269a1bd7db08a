"""The plain-SQL reads agree with the models, and give what the ORM gives."""

from datetime import date

import pytest
from sqlalchemy import JSON, Boolean, Date

from crmtui.core import contacts, reads
from crmtui.core.models import Company, Contact, Deal, Interaction, Task
from crmtui.core.schemas import ContactInput
from crmtui.core.types import UTCDateTime

MODELS = {"contact": Contact, "company": Company, "deal": Deal, "interaction": Interaction,
          "task": Task}  # fmt: skip


@pytest.mark.sqlite_only
@pytest.mark.parametrize("entity", list(MODELS))
def test_every_converted_column_of_a_model_is_typed_in_the_reads(entity):
    converted = {
        column.name: type(column.type)
        for column in MODELS[entity].__table__.columns
        if isinstance(column.type, UTCDateTime | JSON | Boolean | Date)
    }
    assert converted == reads.TYPED_COLUMNS[entity]


@pytest.mark.sqlite_only
def test_the_plain_contact_table_has_the_models_columns_and_nullable_sorts():
    table = Contact.__table__
    assert tuple(column.name for column in table.columns) == reads.CONTACT_COLUMNS
    nullable = {key for key, name in reads.CONTACT_SORTS.items() if table.c[name].nullable}
    assert nullable == reads.NULLABLE_SORTS


def test_a_plain_row_reads_as_the_model_does(db):
    with db.transaction(username="sam") as session:
        added = contacts.add_contact(
            session,
            ContactInput(
                name="Zoë Núñez", emails=["zoe@example.com"], birthday="--04-12",
                custom_fields={"tier": "gold"}, do_not_contact=True, tags=["vip"],
                company="Acme",
            ),
        )  # fmt: skip
    with db.session() as session:
        model = contacts.get_contact(session, added.id)
        (row,) = reads.records(session, "contact", [added.id])
        assert row.created_at == model.created_at and row.created_at.tzinfo is not None
        assert row.custom_fields == {"tier": "gold"} and row.do_not_contact is True
        assert reads.contact_rows(session, [row]) == reads.contact_rows(session, [model])
        assert reads.contact_rows(session, [row])[0]["birthday"] == "--04-12"
        assert reads.find_contact(session, "zoe nunez").id == added.id


def test_a_deal_row_keeps_its_date(db):
    from crmtui.core.deals import add_deal
    from crmtui.core.schemas import DealInput

    with db.transaction(username="sam") as session:
        deal = add_deal(session, DealInput(title="Big", expected_close=date(2030, 1, 31)))
    with db.session() as session:
        (row,) = reads.records(session, "deal", [deal.id])
        assert row.expected_close == date(2030, 1, 31)
        assert reads.deal_rows(session, [row])[0]["expected_close"] == date(2030, 1, 31)
