"""`templates build --profile-file` with the files a county clerk really has: saved by Notepad
as ANSI (GBK) or UTF-8 with BOM, or with the form file left behind when copying."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.cli import main

FORMS = Path(__file__).parent / "data" / "forms"


def _county(tmp_path, name="县") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for f in ("county.toml", "county-project.toml"):
        shutil.copy(FORMS / f, folder / f)
    return folder


def _build(profile: Path, out: Path):
    return CliRunner().invoke(main, ["templates", "build", "--profile-file", str(profile), "--out", str(out)])


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row
            if c.value is not None and ws.title != "_jixiao"}


@pytest.mark.parametrize("encode", [lambda t: t.encode("gbk"), lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")],
                         ids=["gbk", "utf8-bom"])
def test_notepad_saved_profile_and_form_build_the_same_templates(encode, tmp_path):
    plain = _county(tmp_path, "utf8")
    assert _build(plain / "county.toml", tmp_path / "a").exit_code == 0
    saved = _county(tmp_path, "notepad")
    for f in ("county.toml", "county-project.toml"):
        (saved / f).write_bytes(encode((saved / f).read_text(encoding="utf-8")))
    result = _build(saved / "county.toml", tmp_path / "b")
    assert result.exit_code == 0, result.output
    assert "意外错误" not in result.output
    name = "jixiao-unit-county-demo.xlsx"
    assert _cells(tmp_path / "b" / name) == _cells(tmp_path / "a" / name)


def test_missing_form_file_is_named_not_blamed_on_the_output(tmp_path):
    folder = _county(tmp_path)
    (folder / "county-project.toml").unlink()  # the clerk copied only the profile file
    result = _build(folder / "county.toml", tmp_path / "out")
    assert result.exit_code == 2
    assert "无法读取表样文件" in result.output and "county-project.toml" in result.output
    assert "文件不存在" in result.output and "无法写入" not in result.output, result.output


@pytest.mark.parametrize("file, old, new, says", [
    ("county.toml", 'name = "county-demo"', "name = “county-demo”", "第 3 行第 8 列：值无效"),
    ("county.toml", 'milestones = ["3月底", ', 'milestones = ["3月底"，', "第 5 行"),
    ("county-project.toml", 'ref = "A3", text', 'ref = "A3" text', "第 22 行第 16 列：{ } 没有闭合"),
], ids=["chinese-quotes", "chinese-comma", "missing-comma"])
def test_typo_in_a_county_file_is_told_in_chinese_with_its_line(file, old, new, says, tmp_path):
    folder = _county(tmp_path)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _build(folder / "county.toml", tmp_path / "out")
    assert result.exit_code == 2
    assert says in result.output and file in result.output, result.output
    assert not any(w in result.output for w in ("Invalid", "Unclosed", "line", "column")), result.output
    if "“" in new or "，" in new:
        assert "不能用中文标点" in result.output


@pytest.mark.parametrize("ref", ["Z99999999", "XFE4"])
def test_cell_beyond_the_sheet_is_refused_not_silently_dropped(ref, tmp_path):
    """A static at Z99999999 (typed for A4) was left out of the template without a word."""
    folder = _county(tmp_path)
    form = folder / "county-project.toml"
    text = form.read_text(encoding="utf-8")
    form.write_text(text.replace('{ ref = "A4", text = "项目编码" }', f'{{ ref = "{ref}", text = "项目编码" }}', 1),
                    encoding="utf-8")
    assert ref in form.read_text(encoding="utf-8")
    result = _build(folder / "county.toml", tmp_path / "out")
    assert result.exit_code == 2
    assert f"单元格地址“{ref}”超出 Excel 工作表的范围" in result.output, result.output
