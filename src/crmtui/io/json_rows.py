"""JSON and NDJSON read as a table, so an export edited by a script imports as its CSV would."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, TextIO

from crmtui.core.errors import Invalid
from crmtui.io.contact_rows import mapped_rows
from crmtui.io.presets import ColumnMap
from crmtui.io.source import TextSource, peek_first_line, read_csv
from crmtui.io.values import csv_cell

# (line, the cells as read, the [(field, cell)] pairs or why the row is refused)
Row = tuple[int, list[str], list[tuple[str, str]] | str]
# (keys, strict=True) -> their ColumnMap; strict: a --map naming a key not there is refused
MapKeys = Callable[..., ColumnMap]

CHUNK = 1 << 16
LONGEST_RECORD = 1 << 26  # characters: a record not parsed by then is broken, not unfinished
_decoder = json.JSONDecoder()


def looks_like_json(head: str) -> bool:
    """Whether the input starts as JSON does (an array of objects, or NDJSON's first object):
    no CSV header starts with `{"`, or with `[` and then `{`."""
    head = head.lstrip()
    return head.startswith('{"') or (head.startswith("[") and head[1:].lstrip()[:1] in "{]")


def json_values(text: TextIO, name: str) -> Iterator[tuple[int, Any]]:
    """(line it starts on, value) for each element of a top-level array, or each value of
    NDJSON, read a chunk at a time: a large export is never held whole."""
    buffer, position, line, ended = "", 0, 1, False
    in_array: bool | None = None

    def more() -> bool:
        nonlocal buffer, position, ended
        chunk = text.read(CHUNK)
        buffer, position, ended = buffer[position:] + chunk, 0, not chunk
        return bool(chunk)

    while True:
        while True:  # to the next value: past blanks, commas, and the array's own brackets
            while position < len(buffer):
                char = buffer[position]
                if char == "[" and in_array is None:
                    in_array = True
                elif char == "]" and in_array:
                    in_array = False
                elif char == "\n":
                    line += 1
                elif char not in " \t\r,":
                    break
                position += 1
            if position < len(buffer) or not more():
                break
        if position >= len(buffer):
            return
        in_array = bool(in_array)
        while True:
            try:
                value, end = _decoder.raw_decode(buffer, position)
                break
            except json.JSONDecodeError as exc:
                # cut short by the chunk, most likely: read on, but not a whole broken file
                if ended or len(buffer) - position > LONGEST_RECORD or not more():
                    raise Invalid(f"{name}: line {line}: not JSON: {exc.msg}") from None
        yield line, value
        line += buffer.count("\n", position, end)
        position = end


def _ordered(keys) -> list[str]:
    """An email names a record more surely than a name: when both feed one field (a deal's or an
    interaction's contact), the email's key comes first, as in the CSV export."""
    return sorted(keys, key=lambda key: "email" not in key)


def read_json(text: TextIO, name: str) -> tuple[list[str], Iterator[tuple[int, Any]]]:
    """The first record's keys, as a CSV file's header, and (line, value) for every record."""
    values = json_values(text, name)
    first = next(values, None)
    if first is None:
        raise Invalid(f"{name} holds no records")
    if not isinstance(first[1], dict):
        raise Invalid(f"{name}: line {first[0]}: a record must be a JSON object")
    return _ordered(first[1]), chain([first], values)


def json_mapped_rows(
    records: Iterator[tuple[int, Any]], header: list[str], columns: ColumnMap, map_keys: MapKeys
) -> Iterator[Row]:
    """As contact_rows.mapped_rows gives a CSV's rows: (line, [the record as JSON], the
    [(field, cell)] pairs or why the record is refused). Records may differ in their keys: each
    new set is mapped as a header would be, and what it leaves unread joins `columns.ignored`."""
    maps = {tuple(header): (header, columns.fields)}
    for line, record in records:
        raw = [json.dumps(record, ensure_ascii=False)]
        if not isinstance(record, dict):
            yield line, raw, "is not a JSON object"
            continue
        found = maps.get(tuple(record))
        if found is None:
            keys = _ordered(record)
            more = map_keys(keys, strict=False)
            columns.ignored.extend(k for k in more.ignored if k not in columns.ignored)
            found = maps[tuple(record)] = (keys, more.fields)
        keys, fields = found
        yield line, raw, [(f, csv_cell(record[k])) for k, f in zip(keys, fields, strict=True) if f]


@dataclass
class Table:
    """An input's header, the one its rejects are written under, and its rows once its columns
    are mapped by `map_keys` (presets.map_columns with the import's options)."""

    header: list[str]
    rejects_header: list[str]
    map_rows: Callable[[MapKeys], tuple[ColumnMap, Iterator[Row]]]


def read_table(source: TextSource, delimiter: str | None = None) -> Table:
    """A CSV, JSON or NDJSON input, told apart by how it starts."""
    if looks_like_json(peek_first_line(source)):
        header, records = read_json(source.text, source.name)

        def json_rows(map_keys: MapKeys) -> tuple[ColumnMap, Iterator[Row]]:
            columns = map_keys(header)
            return columns, json_mapped_rows(records, header, columns, map_keys)

        return Table(header, ["json"], json_rows)
    table = read_csv(source, delimiter)

    def csv_rows(map_keys: MapKeys) -> tuple[ColumnMap, Iterator[Row]]:
        columns = map_keys(table.header)
        return columns, mapped_rows(table.rows, columns.fields)

    return Table(table.header, table.header, csv_rows)
