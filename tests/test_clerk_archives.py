"""A folder zipped on (Chinese) Windows and handed over as the .zip itself: consolidate reads the workbooks in
it (each shown as <zip>/<name>); validate, which takes one workbook, says to unzip first. Never silently dropped."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from jixiao.cli import main
from jixiao.synth import generate_unit
from jixiao.forms.template import write_workbook

from conftest import windows_zip


def _zip_of_units(tmp_path: Path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir()
    archive = tmp_path / "各单位.zip"
    entries = []
    for i in range(2):
        book = generate_unit(i, n_projects=1, n_indicators=3)
        path = write_workbook(folder / f"{book.unit.code}_单位.xlsx", book)
        entries.append((path.name, path.read_bytes()))
    archive.write_bytes(windows_zip(entries))  # as Chinese Windows writes it: GBK names, no UTF-8 flag
    return archive


def test_the_workbooks_in_a_zip_given_to_consolidate_are_consolidated(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"  # where the run unpacks (this test's own: others may be unpacking meanwhile)
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    archive = _zip_of_units(tmp_path)
    before = archive.read_bytes()
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(archive), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files_found"] == 2 and data["consolidated"] == 2 and data["not_consolidated"] == 0, data
    assert data["archives"] == {str(archive): 2}  # one file in the folder, two found: where they came from
    assert archive.read_bytes() == before  # the input is never touched
    again = CliRunner().invoke(main, ["consolidate", str(archive), "-o", str(out)])
    assert again.exit_code == 0, again.output  # the second run (from the cache) the same
    assert "找到 2 = 纳入 2 + 未纳入 0" in again.output and f"其中 2 个文件在压缩包中，已直接读取：{archive}（2 个）" in again.output
    units = [r for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("单位汇总").to_python()[1:]
             if r[0] not in ("", "合计")]
    assert sorted(r[0] for r in units) == ["100001", "100002"]
    # 来源文件: the GBK names read as Windows wrote them, under the zip's own name
    assert sorted(r[-1] for r in units) == [f"{archive}/100001_单位.xlsx", f"{archive}/100002_单位.xlsx"]
    assert not list(scratch.iterdir())  # what was unpacked is gone


def test_a_run_stopped_while_reading_a_zip_leaves_nothing_unpacked(tmp_path, monkeypatch):
    """Ctrl-C (here raised as the first file is read) ends the run; the folder it unpacked into goes too."""
    from jixiao.consolidation import consolidate

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    archive = _zip_of_units(tmp_path)

    def stop(_path):
        assert list(scratch.iterdir())  # unpacked by now
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        consolidate([archive], tmp_path / "汇总.xlsx", workers=1, on_file=stop)
    assert not list(scratch.iterdir()) and not (tmp_path / "汇总.xlsx").exists()


def _encrypted_zip(path: Path, name: str, data: bytes) -> None:
    """A zip whose member is marked encrypted (bit 0 of its flags), as a zip with a 解压密码 is: Python writes
    no encrypted zips, so the flag is set in the local header and the central directory afterwards."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    raw = bytearray(buf.getvalue())
    central = raw.rfind(b"PK\x01\x02")
    raw[6] |= 0x1
    raw[central + 8] |= 0x1
    path.write_bytes(bytes(raw))
    assert zipfile.ZipFile(path).infolist()[0].flag_bits & 0x1


def test_what_else_a_zip_holds_is_listed_each_with_its_reason(tmp_path):
    """A Word file, a zip in the zip, an old .xls and a workbook with a 解压密码 beside a good workbook; a Mac's
    __MACOSX folder is no file of the clerk's. A damaged zip and an empty one are listed themselves."""
    book = generate_unit(3, n_projects=1, n_indicators=3)
    good = write_workbook(tmp_path / "good.xlsx", book).read_bytes()
    archive = tmp_path / "交来的文件" / "教育局.zip"
    archive.parent.mkdir()
    archive.write_bytes(windows_zip([("教育局/单位.xlsx", good), ("教育局/说明.docx", b"PK\x03\x04"),
                                     ("教育局/旧表.xls", b"\xd0\xcf\x11\xe0"), ("教育局/再压缩.zip", b"PK"),
                                     ("__MACOSX/教育局/._单位.xlsx", b"\0\5\26\7")]))
    _encrypted_zip(archive.parent / "加密的.zip", "locked.xlsx", good)
    (archive.parent / "损坏.zip").write_bytes(b"PK\x03\x04 this is not a whole zip")
    (archive.parent / "改了扩展名.zip").write_bytes(good)  # an .xlsx renamed to mail it: one workbook, not 12 parts
    with zipfile.ZipFile(archive.parent / "空的.zip", "w"):
        pass
    result = CliRunner().invoke(main, ["consolidate", str(archive.parent), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--format", "json", "--no-cache", "--workers", "1"])
    data = json.loads(result.stdout)
    reasons = {Path(f["path"]).name: f["reason"] for f in data["not_consolidated_files"]}
    assert data["consolidated"] == 1 and data["files_found"] == 1 + len(reasons), data
    assert "Word" in reasons["说明.docx"] or "不是 Excel" in reasons["说明.docx"]
    assert "压缩包中的压缩包" in reasons["再压缩.zip"] and "另存为 .xlsx" in reasons["旧表.xls"]
    assert "解压密码" in reasons["locked.xlsx"]
    assert "损坏" in reasons["损坏.zip"] and "没有文件" in reasons["空的.zip"]
    assert "扩展名改回 .xlsx" in reasons["改了扩展名.zip"]
    assert not any("__MACOSX" in f["path"] for f in data["not_consolidated_files"])
    assert all(".zip/" in f["path"] for f in data["not_consolidated_files"] if not f["path"].endswith(
        ("损坏.zip", "空的.zip", "改了扩展名.zip")))


def test_a_zip_given_to_validate_says_unzip_first(tmp_path):
    archive = _zip_of_units(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(archive)])
    assert result.exit_code == 2
    assert "装有工作簿的压缩包" in result.output and "解压" in result.output
    assert "其中有 100001_单位.xlsx、100002_单位.xlsx" in result.output  # the GBK names, read as Windows wrote them


def test_a_word_document_renamed_xlsx_is_called_a_word_document(tmp_path):
    """A .docx renamed .xlsx is a zip without a workbook: the clerk is told it is a Word document,
    not left to guess from "压缩包里没有 Excel 工作簿内容"."""
    import docx

    folder = tmp_path / "交来的文件"
    book = generate_unit(1, n_projects=1, n_indicators=3)
    write_workbook(folder / f"{book.unit.code}.xlsx", book)
    document = docx.Document()
    document.add_paragraph("绩效目标说明")
    document.save(folder / "说明材料.xlsx")
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--format", "json", "--no-cache", "--workers", "1"])
    data = json.loads(result.stdout)
    assert data["files_found"] == 2 and data["consolidated"] == 1 and data["not_consolidated"] == 1
    (rejected,) = data["not_consolidated_files"]
    assert rejected["code"] == "JX-D03" and "Word 文档" in rejected["reason"] and "压缩包" not in rejected["reason"]
    shown = CliRunner().invoke(main, ["validate", str(folder / "说明材料.xlsx")])
    assert shown.exit_code == 2 and "这是 Word 文档" in shown.output


def test_no_room_to_unpack_lists_the_members_with_the_full_disk(tmp_path, monkeypatch, full_disk):
    """The system's temporary folder is on a full disk (a real one, a tmpfs): the run goes on, each workbook
    in the zip is listed with where it could not be unpacked and why, and nothing is left on that disk."""
    archive = _zip_of_units(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(full_disk / "out"))
    before = set((full_disk / "out").iterdir())
    result = CliRunner().invoke(main, ["consolidate", str(archive), "-o", str(tmp_path / "汇总.xlsx"),
                                       "--format", "json", "--workers", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    data = json.loads(result.stdout)
    assert data["files_found"] == data["not_consolidated"] == 2 and data["consolidated"] == 0, data
    for f in data["not_consolidated_files"]:
        assert "磁盘已满" in f["reason"] and str(full_disk / "out") in f["reason"], f
    assert set((full_disk / "out").iterdir()) == before
