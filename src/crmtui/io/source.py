"""Opening CSV input: file or stdin, encoding and delimiter detection, rows with line numbers."""

import codecs
import csv
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from crmtui.core.errors import Invalid, OperationalError

PEEK_BYTES = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
SEP_HINT = re.compile(r"sep=([^\r\n\"])")
T = TypeVar("T")

# Fields beyond the csv module's 128 KiB default (long notes, pasted e-mails) are real data.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, so progress can be shown against the file size."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


@dataclass
class TextSource:
    """An opened input: its text stream, what was detected, and how far it has been read."""

    name: str
    text: io.TextIOWrapper
    encoding: str
    size: int | None
    _counter: _CountingReader = field(repr=False)
    path: Path | None = None  # None for stdin

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def close(self) -> None:
        self.text.close()


def detect_encoding(head: bytes) -> str:
    """utf-8-sig with a BOM, utf-16 with its BOM or, without one, by its zero bytes (CSV text
    is mostly ASCII: every other byte is zero), utf-8 when the start decodes, else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = len(head) // 2
    if pairs:
        even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
        if odd > pairs // 2 and even == 0:
            return "utf-16-le"
        if even > pairs // 2 and odd == 0:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def open_source(
    path: str, encoding: str | None = None, stdin: BinaryIO | None = None
) -> TextSource:
    """A file path, or `-` for stdin, opened as text with the encoding detected or given."""
    if path == "-":
        if stdin is None and sys.stdin is None:  # started with stdin closed (`<&-`)
            raise OperationalError("cannot read <stdin>: it is closed")
        raw = stdin if stdin is not None else sys.stdin.buffer
        name, size = "<stdin>", None
    else:
        file = Path(path)
        try:
            raw = file.open("rb")
            size = file.stat().st_size
        except OSError as exc:
            raise OperationalError(f"cannot read {path}: {exc.strerror or exc}") from None
        name = str(file)
    counter = _CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=PEEK_BYTES)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise Invalid(f"unknown encoding {encoding!r}") from None
    else:
        encoding = detect_encoding(buffered.peek(PEEK_BYTES))
        if encoding == "utf-8" and buffered.peek(3).startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    text = io.TextIOWrapper(buffered, encoding=encoding, newline="", errors="strict")
    return TextSource(
        name=name, text=text, encoding=encoding, size=size, _counter=counter,
        path=None if path == "-" else Path(path),
    )  # fmt: skip


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line the most, ignoring quoted parts."""
    outside, quoted = [], False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    bare = "".join(outside)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvRows:
    """The header and an iterator of (line number, fields) for each data record."""

    header: list[str]
    delimiter: str
    rows: Iterator[tuple[int, list[str]]]


def read_csv(
    source: TextSource, delimiter: str | None = None, on_bad_bytes: Callable | None = None
) -> CsvRows:
    """Parse the source as CSV; blank lines are skipped, line numbers are 1-based physical lines."""
    text = source.text
    first = _first_line(source)
    # Excel's hint line, `sep=;`, names the delimiter; the header follows it
    hint = SEP_HINT.fullmatch(first.rstrip("\r\n"))
    skipped = 1 if hint else 0
    if hint:
        first = _first_line(source)
    if not first.strip():
        raise Invalid(f"{source.name} is empty: a CSV file needs a header line")
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if delimiter and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise Invalid(f"--delimiter {delimiter!r}: give one character, such as ; or \\t")
    chosen = delimiter or (hint.group(1) if hint else sniff_delimiter(first))
    header_reader = csv.reader(_chain_first(first, text), delimiter=chosen)
    header = [h.strip() for h in next(header_reader)]
    start_line = header_reader.line_num + skipped

    def rows() -> Iterator[tuple[int, list[str]]]:
        last = start_line
        try:
            for record in header_reader:
                line = last + 1
                last = header_reader.line_num + skipped
                if not "".join(record).strip():
                    continue
                yield line, record
        except UnicodeDecodeError:
            # the text layer decodes ahead of the rows read, so `last` is short of the byte
            line = undecodable_line(source.path, source.encoding) if source.path else None
            where = f"line {line}" if line else f"a line after {last}"
            raise Invalid(f"{source.name}: {where} {_not_readable(source.encoding)}") from None
        except csv.Error as exc:
            raise Invalid(f"{source.name}: line {last + 1}: {exc}") from None

    return CsvRows(header=header, delimiter=chosen, rows=rows())


def peek_first_line(source: TextSource) -> str:
    """The start of the input, without consuming it: enough to tell what kind of file it is."""
    head = source.text.buffer.peek(4096)[:4096]
    return head.decode(source.encoding, errors="replace").lstrip("\ufeff").lstrip()


def undecodable_line(path: Path, encoding: str) -> int | None:
    """The physical line holding the first byte `encoding` cannot read, if any."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as raw:
        while chunk := raw.read(PEEK_BYTES):
            pending = len(decoder.getstate()[0])  # a character cut by the last chunk, no newline
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, max(exc.start - pending, 0))
            line += chunk.count(b"\n")
    return None


def _first_line(source: TextSource) -> str:
    try:
        return source.text.readline()
    except UnicodeDecodeError:
        raise Invalid(f"{source.name} {_not_readable(source.encoding)}") from None


def _not_readable(encoding: str) -> str:
    """What to say of text `encoding` cannot read, and which --encoding to try instead."""
    if encoding.lower().replace("_", "-").startswith("utf-8"):
        return f"is not {encoding}: pass --encoding (e.g. cp1252)"
    return f"is not {encoding}: is it text? If so, pass its --encoding (e.g. utf-16, latin-1)"


def _chain_first(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield first
    yield from rest


def read_to_end(
    rows: Iterable[T], source: TextSource, progress: Callable[[int, int | None, int], None] | None
) -> Iterator[T]:
    """The rows, then word to `progress` that the whole source is read: done equals total from
    then on, stdin included, while the import writes its last rows and commits."""
    count = 0
    for row in rows:
        count += 1
        yield row
    if progress is not None:
        progress(source.bytes_read, source.bytes_read, count)
