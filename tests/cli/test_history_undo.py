"""`crm history` and `crm undo` through the real command, on both backends."""

from datetime import timedelta


def add_ada(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "vip")


def test_history_shows_who_changed_which_field(crm):
    crm.ok("user", "add", "kim")
    add_ada(crm)
    crm.ok("--user", "kim", "contact", "edit", "ada", "--title", "Countess", "--city", "London")

    history = crm.json("history", "ada")

    assert [h["action"] for h in history] == ["update", "create"]
    assert history[0]["user"] == "kim"
    assert history[0]["changes"] == {"job_title": [None, "Countess"], "city": [None, "London"]}
    assert history[1]["summary"] == "created Ada Lovelace"
    table = crm.ok("history", "ada").stdout
    assert "Countess" in table and "kim" in table


def test_history_of_a_deal_by_user_and_since(crm):
    crm.ok("user", "add", "kim")
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada", "--amount", "500")
    crm.ok("--user", "kim", "deal", "edit", "1", "--amount", "750.50")

    deal = crm.json("history", "--deal", "1")
    assert [h["action"] for h in deal] == ["update", "create"]
    assert deal[0]["changes"]["amount_units"] == [5_000_000, 7_505_000]

    by_kim = crm.json("history", "--user", "kim")
    assert [(h["entity"], h["entity_id"]) for h in by_kim] == [("deal", 1)]
    assert len(crm.json("history", "--since", "7d")) >= 3
    assert crm("history", "--since", "whenever").exit_code == 2
    assert crm("history", "--user", "nobody").exit_code == 3


def test_since_excludes_older_changes(db):
    from sqlmodel import select

    from crmtui.core import contacts
    from crmtui.core.history import list_changes, parse_since
    from crmtui.core.models import Change
    from crmtui.core.schemas import ContactInput
    from crmtui.core.types import utcnow

    with db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Ada", emails=["ada@example.com"]))
    with db.transaction(username="sam") as session:
        for change in session.exec(select(Change)):
            change.at = utcnow() - timedelta(days=10)
            session.add(change)
    with db.transaction(username="sam") as session:
        contacts.add_contact(session, ContactInput(name="Grace", emails=["grace@example.com"]))

    with db.session() as session:
        recent = list_changes(session, since=parse_since("7d"))
        everything = list_changes(session)

    assert [c.changes["display_name"][1] for c in recent] == ["Grace"]
    assert len(everything) == 2


def test_undo_an_edit_restores_the_old_values(crm):
    add_ada(crm)
    crm.ok("contact", "edit", "ada", "--title", "Countess", "--name", "Augusta Ada King")
    change_id = crm.json("history", "1")[0]["id"]

    crm.ok("undo", str(change_id))

    ada = crm.json("contact", "show", "1")
    assert ada["name"] == "Ada Lovelace"
    assert ada["job_title"] is None
    assert [r["name"] for r in crm.json("contact", "list", "--search", "lovelace")] == [
        "Ada Lovelace"
    ]
    assert crm.json("contact", "list", "--search", "augusta") == []
    assert crm.json("history", "1")[0]["changes"]["job_title"] == ["Countess", None]


def test_undo_refuses_when_the_field_changed_since(crm):
    add_ada(crm)
    crm.ok("contact", "edit", "ada", "--title", "Countess")
    first = crm.json("history", "1")[0]["id"]
    crm.ok("contact", "edit", "ada", "--title", "Analyst")

    refused = crm("undo", str(first))

    assert refused.exit_code == 4
    assert "job_title" in refused.stderr and "Analyst" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert crm.json("contact", "show", "1")["job_title"] == "Analyst"


def test_undo_a_delete_brings_the_contact_back_with_emails_and_tags(crm):
    crm.ok("contact", "add", "Ada Lovelace", "-e", "ada@example.com", "-e", "ada@home.org",
           "--phone", "+44 20 7946 0000", "--tag", "vip")  # fmt: skip
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("contact", "delete", "ada", "--yes")
    deleted = crm.json("history", "1")[0]
    assert deleted["action"] == "delete"

    crm.ok("undo", str(deleted["id"]))

    ada = crm.json("contact", "show", "ada@home.org")
    assert ada["id"] == 1
    assert ada["emails"] == ["ada@example.com", "ada@home.org"]
    assert ada["phones"] == ["+44 20 7946 0000"]
    assert ada["tags"] == ["vip"]
    found = crm.json("search", "lovelace")
    assert [r["name"] for r in found if r["type"] == "contact"] == ["Ada Lovelace"]
    assert crm.json("history", "1")[0]["action"] == "create"


def test_undo_a_create_deletes_it_unless_it_was_changed_since(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("deal", "add", "Looms", "--contact", "ada")
    crm.ok("deal", "edit", "2", "--amount", "10")
    engines, looms = (crm.json("history", "--deal", str(i))[-1]["id"] for i in (1, 2))

    crm.ok("undo", str(engines))
    refused = crm("undo", str(looms))

    assert [d["title"] for d in crm.json("deal", "list")] == ["Looms"]
    assert refused.exit_code == 4
    assert "changed since" in refused.stderr


def test_undo_of_a_create_refuses_when_others_have_linked_to_it_since(crm):
    add_ada(crm)
    created = crm.json("history", "ada")[-1]["id"]
    crm.ok("--user", "kim", "log", "call", "ada", "--summary", "Agreed to buy")
    crm.ok("--user", "kim", "deal", "add", "Engines", "--contact", "ada", "--amount", "5000")

    refused = crm("undo", str(created))

    assert refused.exit_code == 4
    assert refused.stderr.startswith(f"crm: cannot undo change {created}: interaction 1 ")
    assert "nothing was changed" in refused.stderr
    assert crm.json("contact", "show", "ada")["interactions"][0]["subject"] == "Agreed to buy"
    assert crm.json("deal", "show", "1")["contact"] == "Ada Lovelace"


def test_undo_a_tag_and_an_unknown_change(crm):
    add_ada(crm)
    crm.ok("contact", "tag", "ada", "speaker")
    tagged = crm.json("history", "1")[0]
    assert tagged["action"] == "tag"

    crm.ok("undo", str(tagged["id"]))

    assert crm.json("contact", "show", "1")["tags"] == ["vip"]
    missing = crm("undo", "9999")
    assert missing.exit_code == 3


def test_undo_of_an_undo_redoes(crm):
    add_ada(crm)
    crm.ok("contact", "edit", "ada", "--city", "London")
    edit = crm.json("history", "1")[0]["id"]
    crm.ok("undo", str(edit))
    undo = crm.json("history", "1")[0]["id"]

    crm.ok("undo", str(undo))

    assert crm.json("contact", "show", "1")["city"] == "London"


def test_stale_edits_are_conflicts_not_overwrites(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada", "--amount", "100")
    crm.ok("contact", "edit", "ada", "--title", "Countess", "--if-version", "1")
    crm.ok("deal", "edit", "1", "--amount", "200", "--if-version", "1")

    contact = crm("contact", "edit", "ada", "--title", "Analyst", "--if-version", "1")
    deal = crm("deal", "edit", "1", "--amount", "300", "--if-version", "1")

    assert (contact.exit_code, deal.exit_code) == (4, 4)
    assert "changed by someone else" in contact.stderr
    assert crm.json("contact", "show", "1")["job_title"] == "Countess"
    assert crm.json("deal", "show", "1")["amount"] == "200.00"


def test_an_edit_of_emails_or_phones_is_logged_versioned_and_undoable(crm):
    add_ada(crm)

    edited = crm.ok("--user", "kim", "contact", "edit", "ada", "--add-email", "ada@work.example",
                    "--add-phone", "+44 20 7946 0000")  # fmt: skip
    stale = crm("contact", "edit", "ada", "--title", "Countess", "--if-version", "1")

    assert "contact 1: emails, phone, phones changed" in edited.stderr
    assert stale.exit_code == 4
    change = crm.json("history", "ada")[0]
    assert change["user"] == "kim"
    assert change["changes"] == {
        "emails": [["ada@example.com"], ["ada@example.com", "ada@work.example"]],
        "phones": [[], ["+44 20 7946 0000"]],
        "phone": [None, "+44 20 7946 0000"],
    }
    assert "nothing changed" in crm.ok("contact", "edit", "ada", "-e", "ada@example.com",
                                       "-e", "ada@work.example").stderr  # fmt: skip
    # the same number written another way
    assert "nothing changed" in crm.ok("contact", "edit", "ada", "--add-phone",
                                       "+442079460000").stderr  # fmt: skip
    crm.ok("undo", str(change["id"]))
    ada = crm.json("contact", "show", "ada")
    assert (ada["emails"], ada["phones"], ada["version"]) == (["ada@example.com"], [], 3)
    crm.ok("undo", str(crm.json("history", "ada")[0]["id"]))  # and redo
    ada = crm.json("contact", "show", "ada")
    assert (ada["emails"], ada["phones"]) == (["ada@example.com", "ada@work.example"],
                                              ["+44 20 7946 0000"])  # fmt: skip


def test_a_tag_added_by_a_deal_or_company_edit_is_logged_and_undoable(crm):
    crm.ok("deal", "add", "Engines", "--company", "Acme", "--amount", "100")

    deal = crm.ok("deal", "edit", "1", "--tag", "hot")
    company = crm.ok("company", "edit", "Acme", "--tag", "key-account")

    assert "deal 1: tags changed" in deal.stderr
    assert "tags changed" in company.stderr
    change = crm.json("history", "--deal", "1")[0]
    assert (change["action"], change["changes"]) == ("tag", {"tags": [None, ["hot"]]})
    crm.ok("undo", str(change["id"]))
    assert crm.json("deal", "show", "1")["tags"] == []


def test_undo_refuses_an_edit_whose_old_link_points_at_a_record_deleted_since(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada", "--amount", "100")
    crm.ok("deal", "edit", "1", "--contact", "")
    unlinked = crm.json("history", "--deal", "1")[0]["id"]
    crm.ok("contact", "delete", "ada", "--yes")

    refused = crm("undo", str(unlinked))

    assert refused.exit_code == 4
    assert refused.stderr.startswith(f"crm: cannot undo change {unlinked}: contact 1")
    assert "nothing was changed" in refused.stderr
    assert crm.json("deal", "show", "1")["contact"] is None


def test_deleting_a_deal_unlinks_its_task_and_call_in_the_log(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("task", "add", "Send plans", "--deal", "1")
    crm.ok("log", "call", "ada", "--deal", "1", "--summary", "Engines call")

    crm.ok("deal", "delete", "1", "--yes")

    assert crm.json("task", "list")[0]["title"] == "Send plans"
    changes = crm.json("history", "--since", "1h")
    unlinked = {(c["entity"], c["action"]): c["changes"] for c in changes[1:3]}
    assert changes[0]["entity"] == "deal" and changes[0]["action"] == "delete"
    assert unlinked == {
        ("task", "update"): {"deal_id": [1, None]},
        ("interaction", "update"): {"deal_id": [1, None]},
    }


def test_deleting_a_company_or_contact_logs_what_goes_with_it(crm):
    crm.ok("contact", "add", "Ada Lovelace", "-e", "ada@example.com", "--company", "Acme")
    crm.ok("log", "call", "ada", "--summary", "Hello")
    crm.ok("company", "delete", "Acme", "--yes")
    crm.ok("contact", "delete", "ada", "--yes")

    changes = [(c["entity"], c["action"]) for c in crm.json("history")]

    assert changes[:4] == [
        ("contact", "delete"),
        ("interaction", "delete"),
        ("company", "delete"),
        ("contact", "update"),
    ]


def last_delete(crm, *args: str) -> int:
    return next(c["id"] for c in crm.json("history", *args) if c["action"] == "delete")


def test_undo_a_contact_delete_brings_back_its_calls_deal_task_and_lifecycle(crm):
    add_ada(crm)
    crm.ok("contact", "edit", "ada", "--stage", "customer")
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("task", "add", "Send plans", "--contact", "ada")
    crm.ok("log", "call", "ada", "--summary", "Intro call", "--at", "2026-10-05 10:00")
    before = crm.json("contact", "show", "ada")
    crm.ok("contact", "delete", "ada", "--yes")
    assert crm.json("deal", "show", "1")["contact"] is None

    crm.ok("undo", str(last_delete(crm, "1")))

    ada = crm.json("contact", "show", "ada")
    assert [i["subject"] for i in ada["interactions"]] == ["Intro call"]
    assert ada["last_contacted_at"] == before["last_contacted_at"]
    assert crm.json("deal", "show", "1")["contact"] == "Ada Lovelace"
    assert crm.json("task", "list", "--contact", "ada")[0]["title"] == "Send plans"
    assert crm.json("report", "churn", "--month", "current")[-1]["new"] == 1


def test_undo_a_deal_delete_brings_back_its_stage_history_and_links(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada", "--created", "2026-10-01")
    crm.ok("deal", "move", "1", "Qualified", "--at", "2026-10-03")
    crm.ok("log", "call", "ada", "--deal", "1", "--summary", "Engines call")
    moves = crm.json("deal", "show", "1")["history"]
    crm.ok("deal", "delete", "1", "--yes")

    crm.ok("undo", str(last_delete(crm, "--deal", "1")))

    deal = crm.json("deal", "show", "1")
    assert deal["history"] == moves
    assert [i["deal_id"] for i in crm.json("contact", "show", "ada")["interactions"]] == [1]


def test_undo_a_company_delete_relinks_its_contacts(crm):
    crm.ok("contact", "add", "Ada Lovelace", "-e", "ada@example.com", "--company", "Acme")
    crm.ok("company", "delete", "Acme", "--yes")
    company_delete = next(
        c["id"] for c in crm.json("history") if (c["entity"], c["action"]) == ("company", "delete")
    )

    crm.ok("undo", str(company_delete))

    assert crm.json("contact", "show", "ada")["company"] == "Acme"


def test_undo_one_change_of_an_import(crm, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("name,email\nAda Lovelace,ada@example.com\n")
    second.write_text(
        "name,email,phone,birthday,city\nAda Lovelace,ada@example.com,+44 20 1,1815-12-10,London\n"
    )
    crm.ok("import", "contacts", str(first))
    crm.ok("import", "contacts", str(second), "--on-duplicate", "update")
    update = crm.json("history", "ada")[0]
    assert update["batch_id"] is not None
    assert set(update["changes"]) == {"city", "birthday", "phones"}

    crm.ok("undo", str(update["id"]))

    ada = crm.json("contact", "show", "ada")
    assert (ada["phones"], ada["birthday"], ada["city"]) == ([], None, None)


def test_history_names_the_stage_and_owner_an_edit_moved_between(crm):
    crm.ok("user", "add", "kim")
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("deal", "move", "1", "Qualified")
    crm.ok("deal", "assign", "1", "--to", "kim")

    summaries = [h["summary"] for h in crm.json("history", "--deal", "1")]

    assert summaries[0] == "owner: sam → kim"
    assert summaries[1] == "stage: Lead → Qualified"


def test_history_shows_amounts_in_their_currency_and_leaves_out_derived_fields(crm):
    add_ada(crm)
    crm.ok("deal", "add", "Engines", "--contact", "ada", "--amount", "1500", "--currency", "EUR")
    crm.ok("deal", "edit", "1", "--amount", "5.5")
    crm.ok("deal", "edit", "1", "--amount", "1200", "--currency", "JPY")
    crm.ok("contact", "edit", "ada", "--name", "Ada King")

    deal = [h["summary"] for h in crm.json("history", "--deal", "1")]
    contact = crm.json("history", "ada")[0]

    assert deal[:2] == [
        "currency: EUR → JPY; amount: 5.50 EUR → 1200 JPY", "amount: 1500.00 EUR → 5.50 EUR"
    ]  # fmt: skip
    assert "sort_key" not in contact["summary"] and "sort_key" in contact["changes"]


def test_a_deleted_newest_record_keeps_its_id_for_undo_and_history(crm, tmp_path):
    add_ada(crm)
    crm.ok("contact", "add", "Charles Babbage", "--email", "charles@example.com")
    crm.ok("deal", "add", "Engines", "--contact", "ada")
    crm.ok("contact", "delete", "charles@example.com", "--yes")
    crm.ok("deal", "delete", "1", "--yes")
    crm.ok("contact", "add", "Grace Hopper", "--email", "grace@example.com")
    crm.ok("deal", "add", "Compilers", "--contact", "grace@example.com")
    rows = tmp_path / "more.csv"
    rows.write_text("name,email\nAlan Turing,alan@example.com\n")
    crm.ok("import", "contacts", str(rows))

    ids = {c["email"]: c["id"] for c in crm.json("contact", "list")}
    assert ids == {"ada@example.com": 1, "grace@example.com": 3, "alan@example.com": 4}
    assert crm.json("deal", "list")[0]["id"] == 2
    crm.ok("undo", last_delete(crm, "2"))
    crm.ok("undo", last_delete(crm, "--deal", "1"))
    assert crm.json("contact", "show", "charles@example.com")["id"] == 2
    assert crm.json("deal", "show", "1")["title"] == "Engines"
    assert {c["summary"] for c in crm.json("history", "2")} >= {"created Charles Babbage"}
    assert "Grace" not in str(crm.json("history", "2"))


def test_task_delete_is_logged_and_undone_with_its_contact_link(crm):
    add_ada(crm)
    crm.ok("task", "add", "Send plans", "--contact", "ada", "--due", "2026-12-01T09:00:00Z")
    crm.ok("task", "add", "Call back")

    said = crm.ok("task", "delete", "1", "--yes")

    assert "deleted task 1 (Send plans)" in said.stderr
    assert [t["title"] for t in crm.json("task", "list")] == ["Call back"]
    assert crm("task", "delete", "1", "--yes").exit_code == 3

    crm.ok("undo", str(last_delete(crm, "--task", "1")))

    task = next(t for t in crm.json("task", "list") if t["id"] == 1)
    assert (task["title"], task["contact"], task["due_at"]) == (
        "Send plans", "Ada Lovelace", "2026-12-01T09:00:00+00:00",
    )  # fmt: skip
