"""Streaming pieces of an .xlsx: sheet rows as cacheable deflate chunks, spliced into a workbook.

Why: a county or province summary has hundreds of thousands of indicator rows.
Rendering and compressing them again on every run would make a re-run after a
few resubmissions as slow as the first. Instead each unit's rows are rendered
once (in the worker that read the unit), compressed into a *self-contained
deflate chunk* and cached. A sheet is then the concatenation of chunks:

- rows carry no ``r`` attribute and cells no ``r`` either (both optional in
  SpreadsheetML; Excel, LibreOffice, openpyxl and calamine count them), so a
  chunk does not depend on where it lands;
- each chunk is compressed by a fresh compressor and ended with a sync flush,
  so chunks concatenate into one valid deflate stream (the pigz technique);
- the zip entry's CRC-32 is combined from the chunks' CRCs
  (:func:`crc32_combine`), so cached chunks are never decompressed.

Everything else in the workbook (the overview with its charts, styles, the
header rows) comes from an ordinary xlsxwriter file; :func:`splice` copies it
and replaces the big sheets' data.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

# --- CRC-32 combination ---------------------------------------------------------------

def _shift_one(x: int) -> int:
    """The linear part of appending one zero byte to a message whose CRC is ``x``."""
    return zlib.crc32(b"\0", x) ^ zlib.crc32(b"\0", 0)


def _apply(table: list[list[int]], x: int) -> int:
    return table[0][x & 0xFF] ^ table[1][(x >> 8) & 0xFF] ^ table[2][(x >> 16) & 0xFF] ^ table[3][x >> 24]


_SHIFT: list[list[list[int]]] = []  # _SHIFT[k] appends 2**k zero bytes; built as far as needed


def _extend(levels: int) -> None:
    if not _SHIFT:
        _SHIFT.append([[_shift_one(v << (8 * j)) for v in range(256)] for j in range(4)])
    while len(_SHIFT) < levels:
        prev = _SHIFT[-1]
        _SHIFT.append([[_apply(prev, _apply(prev, v << (8 * j))) for v in range(256)] for j in range(4)])


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``A + B`` from ``crc32(A)``, ``crc32(B)`` and ``len(B)``.

    >>> a, b = b"hello ", b"world"
    >>> _crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    True
    """
    if len2 < 0:  # a shift by a negative length never ends (zlib's own loops too): never asked for
        raise DamagedCache(f"negative CRC length {len2}")
    if len(_SHIFT) < len2.bit_length():
        _extend(len2.bit_length())
    x, k = crc1, 0
    while len2:
        if len2 & 1:
            t = _SHIFT[k]  # _apply, inlined: this runs for every cached chunk of a summary
            x = t[0][x & 0xFF] ^ t[1][(x >> 8) & 0xFF] ^ t[2][(x >> 16) & 0xFF] ^ t[3][x >> 24]
        len2 >>= 1
        k += 1
    return x ^ crc2


def _native_crc32_combine():
    """zlib's own ``crc32_combine`` through ctypes (three times faster), where the shared library is found.

    Python's :mod:`zlib` does not expose it. On Windows Python links zlib
    statically, so there the pure-Python version above is used; so it is
    anywhere the library gets a known case wrong.
    """
    try:
        import ctypes
    except ImportError:  # pragma: no cover
        return None
    for name in ("libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib"):
        try:
            fn = ctypes.CDLL(name).crc32_combine
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_ulong
        fn.argtypes = [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long]
        a, b = b"jixiao ", "绩效目标表".encode("utf-8") * 999
        if fn(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b):
            return fn
    return None  # pragma: no cover - depends on the platform


crc32_combine = _native_crc32_combine() or _crc32_combine


# --- chunks ----------------------------------------------------------------------------

class DamagedCache(Exception):
    """A cached chunk or placement whose lengths do not add up: the cache is dropped and built again.

    Every length read back is checked before use: a negative or wrapped one would send
    :func:`crc32_combine` (zlib's included) into an endless loop.
    """


_LIMIT = 1 << 32  # no zip entry here is larger (ZipWriter refuses them), so no stored length either
_MAX_RATIO = 1032  # deflate cannot expand more than this: a larger uncompressed size is not a real chunk

@dataclass
class Chunk:
    """Deflate-compressed bytes that concatenate with other chunks; ``rows`` counts the rows inside.

    ``key`` names the unit a cached chunk belongs to: where it lands in the
    summary is remembered under it (see :class:`Span`).
    """

    data: bytes
    crc: int
    size: int  # uncompressed length
    rows: int = 0
    key: str | None = None

    def pack(self) -> bytes:
        return struct.pack("<IQI", self.crc, self.size, self.rows) + self.data

    @classmethod
    def unpack(cls, blob: bytes) -> "Chunk":
        if len(blob) < 16:
            raise DamagedCache("chunk shorter than its header")
        crc, size, rows = struct.unpack_from("<IQI", blob)
        if size >= _LIMIT or size > _MAX_RATIO * (len(blob) - 16) or rows > size:
            raise DamagedCache("chunk lengths do not add up")
        return cls(memoryview(blob)[16:], crc, size, rows)  # a view: the data is not copied


@dataclass
class Placement:
    """Where each unit's chunk landed in a written sheet part: lists aligned by unit, in sheet order.

    ``offsets`` are in the file; ``csizes`` and ``sizes`` (uncompressed) belong to the chunks.
    The CRCs are kept as *prefixes*: every chunk was first written into some entry, and
    ``pres``/``posts`` are the CRC of that entry's data up to the chunk's start and end,
    ``ats`` the chunk's uncompressed offset there. Copying a chunk keeps all three. A *piece*
    is a run of chunks that still follow one another as they were first written; ``breaks``
    lists (in order) the units that start one. A piece's CRC comes from its two ends
    (:meth:`crc`), not from every chunk in it.
    """

    keys: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    csizes: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    pres: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    ats: list[int] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)

    def _breaks_after(self, first: int, last: int) -> list[int]:
        """The units after ``first`` up to ``last`` that start a piece."""
        return self.breaks[bisect.bisect_right(self.breaks, first):bisect.bisect_right(self.breaks, last)]

    def pieces(self, first: int, last: int) -> list[tuple[int, int]]:
        """Units ``first`` to ``last`` as pieces: (first, last) of each."""
        cuts = [first, *self._breaks_after(first, last), last + 1]
        return [(a, b - 1) for a, b in zip(cuts, cuts[1:])]

    def crc(self, first: int, last: int) -> tuple[int, int]:
        """CRC-32 and uncompressed size of the piece ``first`` to ``last``. ``crc(A + B)`` is ``crc(B)``
        xor ``crc(A)`` shifted by ``len(B)``, so ``crc(B)`` comes from the prefixes at its two ends."""
        n = self.ats[last] + self.sizes[last] - self.ats[first]
        return self.posts[last] ^ crc32_combine(self.pres[first], 0, n), n

    def slice(self, first: int, last: int) -> "Placement":
        """Units ``first`` to ``last`` (inclusive), their breaks counted from ``first``."""
        end = last + 1
        part = Placement(*(column[first:end] for column in self.to_data()[:-1]))
        part.breaks = [0, *(k - first for k in self._breaks_after(first, last))]
        return part

    def extend(self, other: "Placement", moved: int = 0) -> None:
        """Append ``other``'s units (each of its pieces stays one), their offsets moved by ``moved`` bytes."""
        base = len(self.keys)
        self.breaks += [base + k for k in other.breaks]
        self.offsets += [o + moved for o in other.offsets]
        for mine, theirs in zip(self._own(), other._own()):
            mine += theirs

    def _own(self) -> tuple[list[Any], ...]:
        """The columns that belong to the chunks themselves (the same wherever a chunk is copied)."""
        return self.keys, self.csizes, self.sizes, self.pres, self.posts, self.ats

    def append(self, key: str, offset: int, csize: int, size: int, pre: int, post: int, at: int,
               *, follows: bool) -> None:
        """One chunk; ``follows``: written right after the previous one, in the same entry."""
        if not follows:
            self.breaks.append(len(self.keys))
        for column, value in zip(self.to_data(), (key, offset, csize, size, pre, post, at)):
            column.append(value)

    def to_data(self) -> tuple[list[Any], ...]:
        return self.keys, self.offsets, self.csizes, self.sizes, self.pres, self.posts, self.ats, self.breaks

    @classmethod
    def from_data(cls, data: tuple[list[Any], ...]) -> "Placement":
        """A stored placement, checked: every length and offset a whole number in range, and within each
        piece each chunk starting where the one before it ends (in the file and uncompressed)."""
        placed = cls(*data)  # (a TypeError if the columns are not these)
        if len({len(column) for column in placed.to_data()[:-1]}) > 1:
            raise DamagedCache("placement columns of different lengths")
        n = len(placed.keys)
        for column in placed.to_data()[1:]:
            if column and (set(map(type, column)) != {int} or not 0 <= min(column) <= max(column) < _LIMIT):
                raise DamagedCache("placement value out of range")
        breaks = placed.breaks
        if n and (not breaks or breaks[0] != 0 or breaks[-1] >= n
                  or any(a >= b for a, b in zip(breaks, breaks[1:]))):
            raise DamagedCache("placement pieces out of order")
        starts = set(breaks)
        o, c, a, z = placed.offsets, placed.csizes, placed.ats, placed.sizes
        if any(o[i] != o[i - 1] + c[i - 1] or a[i] != a[i - 1] + z[i - 1] for i in range(1, n) if i not in starts):
            raise DamagedCache("placement chunks do not follow one another")
        return placed


@dataclass
class Span:
    """Units' chunks as they already sit in the previous summary file: copied from there, never decompressed.

    A re-run after a few resubmissions writes the same chunks again for every
    other unit; copying runs of them straight from the last summary costs a
    read and a write instead of a cache lookup per unit. A span covers a run
    of units whose chunks lay back to back; ``members`` is their old placement,
    so where each lands again is known without touching it.
    """

    offset: int  # in the previous summary file
    csize: int
    crc: int
    size: int
    members: Placement


def compress(raw: bytes, rows: int = 0, level: int = 6) -> Chunk:
    """A self-contained chunk: a fresh compressor, ended by a sync flush (not a final block)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Chunk(c.compress(raw) + c.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(raw), len(raw), rows)


_FINAL = zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty final block


# --- cells and rows ---------------------------------------------------------------------

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")  # anything xml_text changes
MAX_CELL = 32767  # Excel's limit on characters in a cell


def xml_text(text: str) -> str:
    if len(text) <= MAX_CELL and not _SPECIAL.search(text):
        return text  # the common case: one scan
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL - 1] + "…"
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def text_cell(text: str, style: int) -> str:
    return f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


@dataclass(frozen=True)
class Styles:
    """xf indices of the formats the skeleton registers (checked when it is built)."""

    header: int
    text: int
    money: int
    percent: int
    link: int
    wrap: int


def cell_xml(value: object, style: int) -> str:
    """One cell without a reference: text is always an inline string, never a formula."""
    if value is None or value == "":
        return f'<c s="{style}"/>'
    if isinstance(value, bool):
        return f'<c s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, Decimal)):
        return f'<c s="{style}"><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c s="{style}"><v>{value!r}</v></c>'
    return text_cell(str(value), style)


def formula_xml(formula: str, cached: object, style: int) -> str:
    """A formula cell with its cached result (text result when ``cached`` is a string)."""
    f = xml_text(formula)
    if isinstance(cached, str):
        return f'<c s="{style}" t="str"><f>{f}</f><v>{xml_text(cached)}</v></c>'
    return f'<c s="{style}"><f>{f}</f><v>{cached}</v></c>'


def row_xml(cells: Iterable[str]) -> str:
    return "<row>" + "".join(cells) + "</row>"


# --- the zip -----------------------------------------------------------------------------

@dataclass
class _Entry:
    name: bytes
    crc: int
    csize: int
    usize: int
    offset: int


class ZipWriter:
    """A minimal zip writer (deflate) that takes pre-compressed chunk streams.

    ``source`` is the previous summary, open for reading, where :class:`Span` s are copied from.
    """

    def __init__(self, fh: BinaryIO, source: BinaryIO | None = None):
        self.fh = fh
        self.source = source
        self.entries: list[_Entry] = []

    def _header(self, name: bytes, crc: int, csize: int, usize: int) -> None:
        if csize >= 0xFFFFFFFF or usize >= 0xFFFFFFFF or self.fh.tell() >= 0xFFFFFFFF:
            raise ValueError("汇总表超过 4 GB，请分批汇总")
        self.entries.append(_Entry(name, crc, csize, usize, self.fh.tell()))
        # version 2.0, flag bit 11 = UTF-8 names, method 8 = deflate, fixed DOS time 1980-01-01
        self.fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, 0, 0x21, crc, csize, usize,
                                  len(name), 0) + name)

    def write(self, name: str, data: bytes, level: int = 6) -> None:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        packed = c.compress(data) + c.flush()
        self._header(name.encode(), zlib.crc32(data), len(packed), len(data))
        self.fh.write(packed)

    def _copy(self, offset: int, length: int) -> None:
        assert self.source is not None, "a Span needs the previous summary open"
        self.fh.flush()
        at = self.fh.tell()
        try:  # in the kernel (no copy through Python), where the system has it
            src, dst = self.source.fileno(), self.fh.fileno()
            done = 0
            while done < length:
                n = os.copy_file_range(src, dst, length - done, offset + done, at + done)
                if n == 0:
                    raise ValueError("上次的汇总表在读取时被改动，请重新汇总")
                done += n
            self.fh.seek(at + length)
            return
        except (AttributeError, OSError):  # no copy_file_range, or not between these files: copy by hand
            self.fh.seek(at)
        self.source.seek(offset)
        while length:
            block = self.source.read(min(length, 1 << 23))
            if not block:
                raise ValueError("上次的汇总表在读取时被改动，请重新汇总")
            self.fh.write(block)
            length -= len(block)

    def write_chunks(self, name: str, chunks: Iterable[Chunk | Span]) -> Placement:
        """An entry made of chunks (each ended by a sync flush), closed by an empty final block.

        Chunks are streamed (a province's sheet need not fit in memory); the local
        header is patched with the CRC and sizes once they are known. Consecutive
        spans are copied in one go. Returns where each keyed chunk landed.
        """
        start = self.fh.tell()
        self._header(name.encode(), 0, 0, 0)
        data_start = self.fh.tell()
        placed = Placement()
        crc = size = csize = 0
        run_at = run_len = 0  # a run of spans not yet copied
        fresh = False  # the last chunk was a keyed one written here (the next one written here follows it)
        for ch in chunks:
            if ch.__class__ is Span:
                if run_len and run_at + run_len == ch.offset:
                    run_len += ch.csize
                else:
                    if run_len:
                        self._copy(run_at, run_len)
                    run_at, run_len = ch.offset, ch.csize
                length = ch.csize
                placed.extend(ch.members, moved=data_start + csize - ch.offset)  # members land moved as one
                fresh = False
            else:
                if run_len:
                    self._copy(run_at, run_len)
                    run_len = 0
                length = len(ch.data)
                self.fh.write(ch.data)
            after = crc32_combine(crc, ch.crc, ch.size) if size else ch.crc
            if ch.__class__ is not Span:
                if ch.key is not None:
                    placed.append(ch.key, data_start + csize, length, ch.size, crc, after, size, follows=fresh)
                fresh = ch.key is not None
            crc = after
            size += ch.size
            csize += length
        if run_len:
            self._copy(run_at, run_len)
        self.fh.write(_FINAL)
        csize += len(_FINAL)
        if csize >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            raise ValueError("汇总表超过 4 GB，请分批汇总")
        end = self.fh.tell()
        if end != data_start + csize:  # pragma: no cover - the bookkeeping above is the placement's truth
            raise ValueError("内部错误：汇总表写出长度不符")
        self.fh.seek(start + 14)
        self.fh.write(struct.pack("<III", crc, csize, size))
        self.fh.seek(end)
        entry = self.entries[-1]
        entry.crc, entry.csize, entry.usize = crc, csize, size
        return placed

    def close(self) -> None:
        start = self.fh.tell()
        for e in self.entries:
            self.fh.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, 0, 0x21, e.crc,
                                      e.csize, e.usize, len(e.name), 0, 0, 0, 0, 0, e.offset) + e.name)
        end = self.fh.tell()
        self.fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.entries), len(self.entries),
                                  end - start, start, 0))


# --- splicing rows into a skeleton workbook -------------------------------------------------

_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def split_sheet(xml: str) -> tuple[str, str]:
    """A skeleton sheet's XML around the end of its sheet data (after its header rows)."""
    if "</sheetData>" in xml:
        head, tail = xml.split("</sheetData>", 1)
        return head, "</sheetData>" + tail
    head, tail = xml.split("<sheetData/>", 1)
    return head + "<sheetData>", "</sheetData>" + tail


_HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# what follows <hyperlinks> in a worksheet (CT_Worksheet's order): the links go before the first of these
_AFTER_HYPERLINKS = re.compile(r"<(?:printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|"
                               r"customProperties|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|"
                               r"picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b|</worksheet>")


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _with_hyperlinks(tail: str, rels: bytes | None, links: list[tuple[str, str]]) -> tuple[str, bytes]:
    """A sheet's tail with ``<hyperlinks>`` (cell, target), and its relationships part with their targets.

    As Excel writes them: the file in the relationship, the place in it (after ``#``) as ``location``.
    """
    def attr(text: str) -> str:
        return xml_text(text).replace('"', "&quot;")

    split = [(ref, *target.partition("#")[::2]) for ref, target in links]
    cells = "".join(f'<hyperlink ref="{ref}" r:id="rIdJX{i}"' + (f' location="{attr(place)}"' if place else "")
                    + "/>" for i, (ref, _, place) in enumerate(split, start=1))
    at = _AFTER_HYPERLINKS.search(tail)
    assert at is not None, "a worksheet ends with </worksheet>"
    tail = f"{tail[:at.start()]}<hyperlinks>{cells}</hyperlinks>{tail[at.start():]}"
    entries = "".join(f'<Relationship Id="rIdJX{i}" Type="{_HYPERLINK_REL}" Target="{attr(file)}" '
                      'TargetMode="External"/>' for i, (_, file, _) in enumerate(split, start=1))
    if rels is None:
        text = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    else:
        text = rels.decode("utf-8")
    head, end = text.rsplit("</Relationships>", 1)
    return tail, (head + entries + "</Relationships>" + end).encode("utf-8")


def splice(skeleton: Path | BinaryIO, out: BinaryIO, sheets: dict[str, tuple[Iterator[Chunk | Span], str]],
           source: BinaryIO | None = None,
           hyperlinks: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, Placement]:
    """Copy ``skeleton`` (a file or a buffer) into ``out``, appending chunk rows to the named sheet parts.

    ``sheets`` maps a part name (``xl/worksheets/sheet3.xml``) to the chunks of
    its data rows and the sheet's final dimension (``A1:P60001``); spans among
    them are copied from ``source``. ``hyperlinks`` gives a sheet part's cell
    hyperlinks, (cell, target): they go into its tail and its relationships
    part. Returns each part's placement of keyed chunks.
    """
    import zipfile

    writer = ZipWriter(out, source)
    placements: dict[str, Placement] = {}
    linked = {part: links for part, links in (hyperlinks or {}).items() if links}
    with zipfile.ZipFile(skeleton) as zf:
        names = set(zf.namelist())
        rels = {_rels_name(part): part for part in linked}
        for info in zf.infolist():
            if info.filename in rels:
                continue  # written with its sheet's links, below
            data = zf.read(info)
            if info.filename not in sheets:
                writer.write(info.filename, data)
                continue
            chunks, dimension = sheets[info.filename]
            head, tail = split_sheet(data.decode("utf-8"))
            head = _DIMENSION.sub(f'<dimension ref="{dimension}"/>', head, count=1)
            if info.filename in linked:
                name = _rels_name(info.filename)
                tail, own = _with_hyperlinks(tail, zf.read(name) if name in names else None,
                                             linked[info.filename])
                writer.write(name, own)
            parts = itertools.chain([compress(head.encode("utf-8"), level=1)], chunks,
                                    [compress(tail.encode("utf-8"), level=1)])
            placements[info.filename] = writer.write_chunks(info.filename, parts)
    writer.close()
    return placements
