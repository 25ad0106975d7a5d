"""The macro templates and the ribbon add-in: VBA built on Linux, checked with oletools."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings, strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from jixiao.excel.cfb import write_cfb
from jixiao.macros import MODULES, source
from jixiao.profiles import load_profile
from jixiao.forms.template import BUTTONS, write_workbook
from jixiao.excel.vbaproject import _encrypt, compress, decompress

ROOT = Path(__file__).parent.parent


def _decrypt(hex_text: str, project_id: str) -> bytes:
    """MS-OVBA 2.4.3.3 Decryption, written from the specification for this test."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, proj_key_enc = data[0], data[1], data[2]
    assert seed ^ version_enc == 2
    proj_key = seed ^ proj_key_enc
    assert proj_key == sum(project_id.encode()) & 0xFF
    unencrypted_byte1, encrypted_byte1, encrypted_byte2 = proj_key, proj_key_enc, version_enc
    pos = 3
    out = bytearray()
    for i in range((seed & 6) // 2 + 4):  # ignored bytes, then the 4-byte length
        byte_enc = data[pos]
        byte = byte_enc ^ ((encrypted_byte2 + unencrypted_byte1) & 0xFF)
        encrypted_byte2, encrypted_byte1, unencrypted_byte1 = encrypted_byte1, byte_enc, byte
        out.append(byte)
        pos += 1
    length = struct.unpack("<I", bytes(out[-4:]))[0]
    result = bytearray()
    for _ in range(length):
        byte_enc = data[pos]
        byte = byte_enc ^ ((encrypted_byte2 + unencrypted_byte1) & 0xFF)
        encrypted_byte2, encrypted_byte1, unencrypted_byte1 = encrypted_byte1, byte_enc, byte
        result.append(byte)
        pos += 1
    assert pos == len(data)
    return bytes(result)


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory):
    return write_workbook(tmp_path_factory.mktemp("xlsm") / "t.xlsm", profile=load_profile("hebei"))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=9000),
                 st.text(alphabet="Sub End Dim As String()\r\n'\"& 0123456789abcxyz", max_size=20000)
                 .map(lambda t: t.encode("ascii"))))
def test_compression_round_trips_and_oletools_agrees(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert decompress_stream(bytearray(packed)) == data  # an independent implementation


def test_long_module_survives_compression():
    """The bug of ms-ovba-compression: modules over a few hundred bytes came back wrong."""
    text = (source("JixiaoButtons") * 12).encode("ascii")
    assert len(text) > 20000
    assert decompress_stream(bytearray(compress(text))) == text
    assert len(compress(text)) < len(text) / 3


def test_compound_file_is_readable():
    tree = {"PROJECT": b"x" * 100, "big": bytes(range(256)) * 40, "VBA": {"dir": b"d" * 5000, "M": b""}}
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(tree)))
    assert ole.openstream("PROJECT").read() == b"x" * 100
    assert ole.openstream("big").read() == bytes(range(256)) * 40
    assert ole.openstream("VBA/dir").read() == b"d" * 5000
    assert sorted("/".join(p) for p in ole.listdir()) == ["PROJECT", "VBA/M", "VBA/dir", "big"]


def test_vba_source_round_trips_exactly(xlsm):
    code = {name: text for _, _, name, text in VBA_Parser(str(xlsm)).extract_macros()}
    assert code["JixiaoButtons.bas"].replace("\r\n", "\n") == source("JixiaoButtons").replace("\r\n", "\n")
    assert "ThisWorkbook.cls" in code and "Sheet1.cls" in code


def test_macros_are_ascii_and_late_bound():
    for name in MODULES:
        raw = (ROOT / "macros" / f"{name}.bas").read_bytes()
        assert all(b < 128 for b in raw), name
        assert "Application.Run \"'xlwings.xlam'!RunPython\"" in raw.decode()


def test_project_stream_protection_fields_decrypt(xlsm):
    ole = olefile.OleFileIO(io.BytesIO(zipfile.ZipFile(xlsm).read("xl/vbaProject.bin")))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(\w+)="([^"]*)"', project, re.M))
    assert _decrypt(fields["CMG"], fields["ID"]) == b"\0\0\0\0"  # not protected
    assert _decrypt(fields["DPB"], fields["ID"]) == b"\0"  # no password
    assert _decrypt(fields["GC"], fields["ID"]) == b"\xff"  # visible
    assert _decrypt(_encrypt(fields["ID"], b"hello", 0x17), fields["ID"]) == b"hello"


def test_code_names_match_document_modules(xlsm):
    z = zipfile.ZipFile(xlsm)
    assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
    modules = {name for _, _, name, _ in VBA_Parser(str(xlsm)).extract_macros()}
    sheets = [n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
    for part in sheets:
        code_name = re.search(r'codeName="(\w+)"', z.read(part).decode()).group(1)
        assert f"{code_name}.cls" in modules


def test_buttons_are_wired_to_subs_that_exist(xlsm):
    z = zipfile.ZipFile(xlsm)
    subs = set(re.findall(r"^Public Sub (\w+)\(", source("JixiaoButtons"), re.M))
    wired = set()
    for part in (n for n in z.namelist() if n.endswith(".vml")):
        vml = z.read(part).decode()
        wired |= set(re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml))
    expected = {macro for buttons in BUTTONS.values() for _, macro in buttons}
    assert wired == expected and wired <= subs


def test_build_is_reproducible(tmp_path):
    a = write_workbook(tmp_path / "a.xlsm", profile=load_profile("hunan"))
    b = write_workbook(tmp_path / "b.xlsm", profile=load_profile("hunan"))
    assert a.read_bytes() == b.read_bytes()


def test_committed_macro_templates_carry_the_committed_macros():
    for path in sorted((ROOT / "workbook_templates").glob("*.xlsm")):
        code = {name: text for _, _, name, text in VBA_Parser(str(path)).extract_macros()}
        assert code["JixiaoButtons.bas"].replace("\r\n", "\n") == source("JixiaoButtons").replace("\r\n", "\n")


def test_ribbon_addin(tmp_path):
    from jixiao.excel.ribbon import ADDIN_TYPE, build_ribbon_addin, custom_ui

    path = build_ribbon_addin(tmp_path / "jixiao.xlam")
    z = zipfile.ZipFile(path)
    assert ADDIN_TYPE in z.read("[Content_Types].xml").decode()
    assert z.read("customUI/customUI14.xml") == custom_ui() == (ROOT / "addin/ribbon/customUI14.xml").read_bytes()
    assert "customUI/customUI14.xml" in z.read("_rels/.rels").decode()
    actions = set(re.findall(r'onAction="(\w+)"', custom_ui().decode()))
    code = {name: text for _, _, name, text in VBA_Parser(str(path)).extract_macros()}
    subs = set(re.findall(r"^Public Sub (\w+)\(", code["JixiaoRibbon.bas"], re.M))
    assert actions and actions <= subs
    assert path.read_bytes() == build_ribbon_addin(tmp_path / "again.xlam").read_bytes()
    assert (ROOT / "addin" / "jixiao.xlam").read_bytes() == path.read_bytes(), "run: jixiao templates addin"
