"""Build a source-only VBA project (vbaProject.bin) from module source text, per MS-OVBA.

The project carries no compiled p-code (``_VBA_PROJECT`` version 0xFFFF), so
Excel compiles the source when it opens the workbook. Module source is stored
with MS-OVBA's compression (§2.4.1), written here from the specification: the
PyPI ``ms-ovba-compression`` package computes the maximum copy length wrongly
and corrupts modules longer than a few hundred bytes. :func:`decompress` is the
inverse; the tests also decompress with oletools, an independent implementation.

>>> decompress(compress(b"abcabcabcabc" * 100)) == b"abcabcabcabc" * 100
True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .cfb import write_cfb

CHUNK = 4096


# --- compression (MS-OVBA 2.4.1) ------------------------------------------------------

def _copy_token_help(difference: int) -> tuple[int, int]:
    """Bit count of the offset part and the maximum length at ``difference`` bytes into a chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(chunk: bytes, max_candidates: int = 512) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)

    def remember(i: int) -> None:
        if i + 3 <= n:
            heads.setdefault(chunk[i:i + 3], []).append(i)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                bit_count, max_len = _copy_token_help(pos)
                limit = min(max_len, n - pos)
                for cand in reversed(heads.get(chunk[pos:pos + 3], [])[-max_candidates:]):
                    length = 3
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                bit_count, _ = _copy_token_help(pos)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for i in range(pos, pos + best_len):
                    remember(i)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        packed = _compress_chunk(chunk)
        if len(packed) <= CHUNK:
            out += struct.pack("<H", (len(packed) + 2 - 3) | (0b011 << 12) | (1 << 15)) + packed
        elif len(chunk) == CHUNK:  # incompressible: stored raw (a raw chunk is always 4096 bytes)
            out += struct.pack("<H", 0x0FFF | (0b011 << 12)) + chunk
        else:  # pragma: no cover - text never gets here
            raise ValueError("an incompressible final chunk cannot be stored")
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Inverse of :func:`compress` (MS-OVBA 2.4.1.3.1)."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        chunk_end = pos + (header & 0x0FFF) + 3
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bit_count, _ = _copy_token_help(len(out) - start)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# --- project encryption of CMG / DPB / GC (MS-OVBA 2.4.3) --------------------------------

def _encrypt(project_id: str, data: bytes, seed: int) -> str:
    """Data Encryption (§2.4.3.2) with a fixed seed, so builds are reproducible."""
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted_byte1, encrypted_byte1, encrypted_byte2 = proj_key, seed ^ proj_key, seed ^ version
    ignored_length = (seed & 6) // 2
    for _ in range(ignored_length):
        temp = 7
        byte_enc = temp ^ ((encrypted_byte2 + unencrypted_byte1) & 0xFF)
        out.append(byte_enc)
        encrypted_byte2, encrypted_byte1, unencrypted_byte1 = encrypted_byte1, byte_enc, temp
    for byte in struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((encrypted_byte2 + unencrypted_byte1) & 0xFF)
        out.append(byte_enc)
        encrypted_byte2, encrypted_byte1, unencrypted_byte1 = encrypted_byte1, byte_enc, byte
    return out.hex().upper()


# --- the project --------------------------------------------------------------------------

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
PROJECT_ID = "{6A3B6C5E-0F3B-4E55-9C1A-6A6978696161}"  # fixed: reproducible builds
CODEPAGE = 1252  # module source is ASCII; clerk-facing Chinese comes from Python


@dataclass(frozen=True)
class Module:
    """A VBA module: ``kind`` is ``"std"`` or ``"doc"`` (ThisWorkbook / a sheet)."""

    name: str
    source: str  # the code, without Attribute lines for document modules
    kind: str = "std"
    base: str = SHEET_BASE

    def text(self) -> bytes:
        """The stored source: Attribute header lines, then the code, CRLF line ends."""
        if self.kind == "doc":
            head = [f'Attribute VB_Name = "{self.name}"', f'Attribute VB_Base = "{self.base}"',
                    "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
                    "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
                    "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
            body = self.source.splitlines()
        else:
            lines = self.source.splitlines()
            body = [line for line in lines if not line.startswith("Attribute VB_Name")]
            head = [f'Attribute VB_Name = "{self.name}"']
        text = "\r\n".join(head + body) + "\r\n"
        return text.encode("ascii")  # a non-ASCII character in VBA source is a build error


def _record(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _name_records(rid: int, unicode_rid: int, text: str) -> bytes:
    return _record(rid, text.encode("cp1252")) + _record(unicode_rid, text.encode("utf-16-le"))


def _dir_stream(modules: list[Module], project: str) -> bytes:
    libid = ("*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
             "C:\\Windows\\System32\\stdole2.tlb#OLE Automation")
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: Win32
    out += _record(0x0002, struct.pack("<I", 0x0409))  # LCID
    out += _record(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, project.encode("cp1252"))  # NAME
    out += _name_records(0x0005, 0x0040, "")  # DOCSTRING
    out += _name_records(0x0006, 0x003D, "")  # HELPFILEPATH
    out += _record(0x0007, struct.pack("<I", 0))  # HELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # LIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION (its size field is fixed, then major/minor)
    out += _name_records(0x000C, 0x003C, "")  # CONSTANTS
    # references: stdole
    out += _name_records(0x0016, 0x003E, "stdole")
    registered = struct.pack("<I", len(libid)) + libid.encode("ascii") + struct.pack("<IH", 0, 0)
    out += _record(0x000D, registered)
    # modules
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for m in modules:
        out += _name_records(0x0019, 0x0047, m.name)
        out += _name_records(0x001A, 0x0032, m.name)  # stream name = module name
        out += _name_records(0x001C, 0x0048, "")  # DOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # OFFSET: no p-code before the source
        out += _record(0x001E, struct.pack("<I", 0))  # HELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # COOKIE
        out += _record(0x0022 if m.kind == "doc" else 0x0021, b"")  # TYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


def _project_stream(modules: list[Module], project: str) -> bytes:
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.kind == "doc" else f"Module={m.name}")
    lines += [f'Name="{project}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{_encrypt(PROJECT_ID, struct.pack("<I", 0), 0x3A)}"',
              f'DPB="{_encrypt(PROJECT_ID, bytes([0]), 0x5C)}"',
              f'GC="{_encrypt(PROJECT_ID, bytes([0xFF]), 0x7E)}"', "",
              "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
              "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _project_wm(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode("cp1252") + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


def build_vba_project(modules: list[Module], project: str = "VBAProject") -> bytes:
    """The vbaProject.bin bytes for ``modules`` (document modules first, as Excel writes them)."""
    ordered = [m for m in modules if m.kind == "doc"] + [m for m in modules if m.kind != "doc"]
    vba = {"_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0),
           "dir": compress(_dir_stream(ordered, project))}
    for m in ordered:
        vba[m.name] = compress(m.text())
    return write_cfb({"PROJECT": _project_stream(ordered, project), "PROJECTwm": _project_wm(ordered),
                      "VBA": vba})
