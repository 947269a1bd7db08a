"""What deleting a record takes with it, counted before the delete for a confirmation."""

from crmtui.core.cascade import what_goes_with
from crmtui.core.contacts import add_contact
from crmtui.core.deals import add_deal
from crmtui.core.interactions import log_interaction
from crmtui.core.schemas import ContactInput, DealInput, InteractionInput, TaskInput
from crmtui.core.tasks import add_task


def test_a_contact_takes_its_interactions_and_leaves_its_deals_and_tasks(db):
    with db.transaction(username="kim") as session:
        ada = add_contact(session, ContactInput(name="Ada Lovelace", company="Engines"))
        other = add_contact(session, ContactInput(name="Bela Weber"))
        for subject in ("Intro", "Demo"):
            log_interaction(
                session, InteractionInput(contact=str(ada.id), kind="call", subject=subject)
            )
        log_interaction(
            session, InteractionInput(contact=str(other.id), kind="note", subject="Hello")
        )
        deal = add_deal(session, DealInput(title="Engines", contact=str(ada.id)))
        add_task(session, TaskInput(title="Send plans", contact=str(ada.id)))
        add_task(session, TaskInput(title="Chase", deal_id=deal.id))
    with db.session() as session:
        assert what_goes_with(session, "contact", ada.id) == {
            "deleted": {"interaction": 2},
            "unlinked": {"deal": 1, "task": 1},
        }
        assert what_goes_with(session, "contact", other.id) == {
            "deleted": {"interaction": 1},
            "unlinked": {},
        }
        assert what_goes_with(session, "deal", deal.id) == {
            "deleted": {},
            "unlinked": {"task": 1},
        }
        assert what_goes_with(session, "company", ada.company_id) == {
            "deleted": {},
            "unlinked": {"contact": 1, "deal": 1},
        }
        assert what_goes_with(session, "task", 1) == {"deleted": {}, "unlinked": {}}
