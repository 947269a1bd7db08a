"""`crm tag list|rename|delete`: tags as a whole, each change one history entry that undo reverts."""

import pytest


@pytest.fixture
def tagged(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "vip",
           "--tag", "expo")  # fmt: skip
    crm.ok("contact", "add", "Bob Stone", "--email", "bob@example.com", "--tag", "VIP")
    crm.ok("contact", "add", "Cy Young", "--email", "cy@example.com", "--tag", "expo")
    crm.ok("company", "add", "Engines Ltd", "--tag", "vip")
    crm.ok("deal", "add", "Order", "--contact", "ada@example.com", "--amount", "5", "--tag", "expo")
    return crm


def counts(crm) -> dict[str, tuple[int, int, int]]:
    return {t["name"]: (t["contacts"], t["companies"], t["deals"]) for t in crm.json("tag", "list")}


def holders(crm, tag: str) -> list[str]:
    return sorted(c["name"] for c in crm.json("contact", "list", "--tag", tag))


def test_the_list_counts_each_kind_of_record_by_tag_name(tagged):
    assert counts(tagged) == {"expo": (2, 0, 1), "vip": (2, 1, 0)}
    assert tagged.ok("tag", "list").stdout.splitlines()[0] == "name,contacts,companies,deals"


def test_a_rename_reaches_records_and_saved_segments_and_undo_puts_it_back(tagged):
    tagged.ok("segment", "add", "Best", "--tag", "VIP")
    same = tagged.ok("tag", "rename", "VIP", "vip").stderr
    assert same == "tag vip is named so already: nothing to change\n"

    said = tagged.ok("tag", "rename", "Vip", "gold").stderr

    assert said == "renamed tag Vip to gold (3 records)\n"
    assert counts(tagged)["gold"] == (2, 1, 0) and "vip" not in counts(tagged)
    assert tagged.json("segment", "show", "best")["contacts"] == 2
    (entry,) = tagged.json("history", "--limit", "1")
    assert entry["summary"] == "renamed vip → gold"

    tagged.ok("undo", str(entry["id"]))

    assert counts(tagged)["vip"] == (2, 1, 0) and "gold" not in counts(tagged)
    assert tagged.json("segment", "show", "best")["filters"] == "--tag vip"


def test_renaming_onto_another_tag_merges_them_and_undo_splits_them_exactly(tagged):
    tagged.ok("tag", "rename", "expo", "vip")  # Ada has both

    assert counts(tagged) == {"vip": (3, 1, 1)}
    assert holders(tagged, "vip") == ["Ada Lovelace", "Bob Stone", "Cy Young"]
    (entry,) = tagged.json("history", "--limit", "1")
    assert entry["summary"] == "merged expo into vip (3 records)"

    tagged.ok("undo", str(entry["id"]))

    assert counts(tagged) == {"expo": (2, 0, 1), "vip": (2, 1, 0)}
    assert holders(tagged, "vip") == ["Ada Lovelace", "Bob Stone"]  # Ada kept hers


def test_a_delete_takes_the_tag_off_everything_and_undo_brings_it_back(tagged):
    said = tagged.ok("tag", "delete", "EXPO").stderr

    assert said == "deleted tag expo (3 records had it)\n"
    assert counts(tagged) == {"vip": (2, 1, 0)}
    assert tagged.json("deal", "show", "1")["tags"] == []
    (entry,) = tagged.json("history", "--limit", "1")

    tagged.ok("undo", str(entry["id"]))

    assert counts(tagged) == {"expo": (2, 0, 1), "vip": (2, 1, 0)}
    assert tagged.json("deal", "show", "1")["tags"] == ["expo"]


def test_undoing_a_merge_after_its_target_changed_is_refused(tagged):
    tagged.ok("tag", "rename", "expo", "vip")
    tagged.ok("tag", "delete", "vip")
    merge, _delete = (e["id"] for e in tagged.json("history", "--limit", "2")[::-1])

    refused = tagged("undo", str(merge))

    assert refused.exit_code == 4 and "changed since" in refused.stderr
    assert counts(tagged) == {}


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [(["tag", "delete", "nosuch"], 3, "no tag 'nosuch'"),
     (["tag", "rename", "nosuch", "x"], 3, "no tag 'nosuch'"),
     (["tag", "rename", "vip", " "], 2, "a tag cannot be empty")],
)  # fmt: skip
def test_bad_names_say_so_in_one_line_and_change_nothing(tagged, args, code, says):
    result = tagged(*args)

    assert result.exit_code == code and result.stderr == f"crm: {says}" + (
        " (crm tag list shows them)\n" if code == 3 else "\n"
    )
    assert counts(tagged) == {"expo": (2, 0, 1), "vip": (2, 1, 0)}
