"""Reading JSON a chunk at a time: every record, on the line it starts, whatever the layout."""

import io
import json

import pytest

from crmtui.core.errors import Invalid
from crmtui.io import json_rows
from crmtui.io.json_rows import json_values, looks_like_json

pytestmark = pytest.mark.sqlite_only  # no database at all: one run is enough
RECORDS = [{"name": "Zoë", "notes": "a, b\n]c[", "tags": ["x", "y"]}, {"name": "Ada"}, [1, 2], 7]


def read(text: str) -> list:
    return list(json_values(io.StringIO(text), "people.json"))


@pytest.mark.parametrize("chunk", [3, 7, 65536])
def test_records_and_their_lines_whatever_the_chunks(monkeypatch, chunk):
    monkeypatch.setattr(json_rows, "CHUNK", chunk)
    pretty = json.dumps(RECORDS, indent=2, ensure_ascii=False)
    ndjson = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)
    export = "[\n" + ",\n".join(json.dumps(r) for r in RECORDS) + "\n]\n"

    assert read(pretty) == [(2, RECORDS[0]), (10, RECORDS[1]), (13, RECORDS[2]), (17, 7)]
    assert read(ndjson) == list(zip([1, 2, 3, 4], RECORDS, strict=True))
    assert read(export) == list(zip([2, 3, 4, 5], RECORDS, strict=True))
    assert read("[]") == [] and read("  \n") == []


def test_a_broken_record_is_told_by_its_line(monkeypatch):
    monkeypatch.setattr(json_rows, "CHUNK", 5)

    with pytest.raises(Invalid, match=r"people.json: line 3: not JSON"):
        read('{"name": "Ada"}\n{"name": "Grace"}\n{"name": "Alan"\n')


def test_what_looks_like_json_and_what_is_a_csv_header():
    assert (
        looks_like_json('[\n  {"id": 1}') and looks_like_json('{"id": 1}') and looks_like_json("[]")
    )
    assert not looks_like_json("name,email") and not looks_like_json("[Name],[Email]")


def test_a_broken_record_does_not_read_the_rest_of_the_file(monkeypatch):
    monkeypatch.setattr(json_rows, "CHUNK", 16)
    monkeypatch.setattr(json_rows, "LONGEST_RECORD", 64)
    text = io.StringIO('{"name": "Ada"}\n{"name": "Grace\n' + '{"name": "Alan"}\n' * 1000)

    with pytest.raises(Invalid, match="line 2: not JSON"):
        list(json_values(text, "people.json"))
    assert text.tell() < 200
