"""`crm segment ...` and `--segment NAME`: contact filters saved once, used by lists and exports."""

import json


def people(crm):
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--tag", "vip",
           "--consent", "subscribed", "--stage", "customer")  # fmt: skip
    crm.ok("contact", "add", "Bob", "--email", "bob@example.com", "--tag", "vip",
           "--consent", "unsubscribed", "--stage", "customer")  # fmt: skip
    crm.ok("contact", "add", "Cy", "--email", "cy@example.com", "--tag", "vip")
    crm.ok("contact", "add", "Di", "--email", "di@example.com", "--consent", "subscribed")


def names(rows):
    return [row["name"] for row in rows]


def test_a_saved_segment_lists_exports_and_counts_its_contacts(crm):
    people(crm)

    saved = crm.ok("segment", "add", "VIP mailing", "--tag", "vip", "--contactable")

    assert "saved segment VIP mailing: --tag vip --contactable" in saved.stderr
    assert names(crm.json("contact", "list", "--segment", "vip mailing")) == ["Ada", "Cy"]
    exported = json.loads(
        crm.ok("export", "contacts", "-f", "json", "--segment", "VIP MAILING").stdout
    )
    assert names(exported) == ["Ada", "Cy"]
    assert crm.json("segment", "list", "--count") == [
        {"id": 1, "name": "VIP mailing", "filters": "--tag vip --contactable", "contacts": 2}
    ]
    assert crm.json("segment", "show", "vip mailing")["contacts"] == 2


def test_an_option_given_beside_a_segment_takes_its_fields_place(crm):
    people(crm)
    crm.ok("segment", "add", "customers", "--stage", "customer")

    assert names(crm.json("contact", "list", "--segment", "customers")) == ["Ada", "Bob"]
    assert names(crm.json("contact", "list", "--segment", "customers", "--stage", "lead")) == [
        "Cy", "Di"
    ]  # fmt: skip
    assert names(crm.json("contact", "list", "--segment", "customers", "--consent",
                          "subscribed")) == ["Ada"]  # fmt: skip


def test_assign_every_contact_of_a_segment(crm):
    people(crm)
    crm.ok("segment", "add", "subscribers", "--consent", "subscribed")

    crm.ok("contact", "assign", "--segment", "subscribers", "--to", "kim", "--yes")

    assert names(crm.json("contact", "list", "--owner", "kim")) == ["Ada", "Di"]


def test_replacing_deleting_and_what_is_refused(crm):
    people(crm)
    crm.ok("segment", "add", "vips", "--tag", "vip")

    taken = crm("segment", "add", "VIPs", "--stage", "customer")
    empty = crm("segment", "add", "all")
    bad_stage = crm("segment", "add", "odd", "--stage", "royalty")
    nobody = crm("segment", "add", "hers", "--owner", "nobody")
    crm.ok("segment", "add", "VIPs", "--stage", "customer", "--replace")
    replaced = crm.json("segment", "show", "vips")
    crm.ok("segment", "delete", "vips")
    gone = crm("contact", "list", "--segment", "vips")

    assert taken.exit_code == 4 and "--replace" in taken.stderr
    assert empty.exit_code == 2 and "needs a filter" in empty.stderr
    assert bad_stage.exit_code == 2 and "lifecycle stage" in bad_stage.stderr
    assert nobody.exit_code == 3 and "no user named 'nobody'" in nobody.stderr
    assert (replaced["name"], replaced["filters"], replaced["contacts"]) == (
        "VIPs", "--stage customer", 2
    )  # fmt: skip
    assert crm.json("segment", "list") == []
    assert gone.exit_code == 3 and "no segment named 'vips'" in gone.stderr
    assert [h["action"] for h in crm.json("history", "--since", "2000-01-01")][:3] == [
        "delete", "update", "create"
    ]  # fmt: skip
