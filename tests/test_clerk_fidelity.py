"""What --fix, --annotate and the exporters write (issue 14, points 12–14), on real files.

- 12: control characters pasted from Word (JX-X02): flagged, fixed, and every exporter writes clean text;
- 13: copies keep what they were given: an .xlsm's VBA, buttons and content type; formulas' saved results;
- 14: Strict Open XML workbooks are refused with JX-D03 by every command.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from jixiao.cli import main
from jixiao.examples import load_example
from jixiao.forms.model import UnitWorkbook
from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook
from jixiao.forms.textsafe import CONTROL
from jixiao.checks.validate import validate_file
from jixiao.excel.zippatch import MACRO_CONTENT_TYPE, sheet_parts

from conftest import requires_poppler, requires_soffice

EXAMPLE = "luanping_xinfang_2026"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a zip, passing each part's bytes through ``edit(name, data)``."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info, edit(info.filename, zi.read(info)))
    return dst


# --- 12: control characters --------------------------------------------------------------------

# cell → (text as pasted, text after --fix): VT and FF are Word's line and page breaks, others go
PASTED = {
    "B8": ("目标一\x0b目标二\x07", "目标一\n目标二"),       # 绩效目标
    "D10": ("维稳\x0b任务数量", "维稳\n任务数量"),             # 绩效指标描述
    "C11": ("执行\x0c合格率", "执行合格率"),                   # 三级指标: the line break then goes (JX-X01)
    "E3": ("信访工作\x01保障经费", "信访工作保障经费"),        # 项目名称
}


def _by_openpyxl(tmp_path: Path) -> Path:
    """The escapes Excel itself stores for these characters (``_x000B_``), written by openpyxl."""
    base = write_workbook(tmp_path / "base.xlsx", load_example(EXAMPLE))
    wb = openpyxl.load_workbook(base)
    ws = wb["项目1"]
    for ref, (text, _) in PASTED.items():
        ws[ref] = CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    path = tmp_path / "pasted_openpyxl.xlsx"
    wb.save(path)
    return path


def _by_xlsxwriter(tmp_path: Path) -> Path:
    """Real control characters in the model, written by xlsxwriter (the template writer)."""
    book = load_example(EXAMPLE)
    project = book.projects[0]
    project.goals, project.name = PASTED["B8"][0], PASTED["E3"][0]
    project.indicators[0].description = PASTED["D10"][0]
    project.indicators[1].level3 = PASTED["C11"][0]
    return write_workbook(tmp_path / "pasted_xlsxwriter.xlsx", book)


WRITERS = pytest.mark.parametrize("writer", [_by_openpyxl, _by_xlsxwriter], ids=["openpyxl", "xlsxwriter"])


def _has_control(texts) -> bool:
    return any(CONTROL.search(t) for t in texts if isinstance(t, str))


@WRITERS
def test_control_characters_are_flagged_and_fixed(tmp_path, writer):
    src = writer(tmp_path)
    zf = zipfile.ZipFile(src)
    assert any(b"_x000B_" in zf.read(n) for n in zf.namelist() if n.endswith(".xml"))  # as Excel writes a VT
    report = validate_file(src)
    found = {i.cell for i in report.issues if i.code == "JX-X02"}
    assert found == set(PASTED)
    issue = next(i for i in report.issues if i.code == "JX-X02" and i.cell == "B8")
    assert "垂直制表符 U+000B" in issue.message and "绩效目标" in issue.message
    assert not _has_control([issue.message])

    out = tmp_path / "fixed.xlsx"
    result = run("validate", src, "--fix", "-o", out)
    assert result.exit_code == 0, result.output
    assert not _has_control([result.output])  # old values are shown, not sent raw to the terminal
    assert not [i for i in validate_file(out).issues if i.code in ("JX-X01", "JX-X02")]
    project = read_workbook(out).projects[0]
    assert (project.goals, project.indicators[0].description, project.indicators[1].level3, project.name) == (
        PASTED["B8"][1], PASTED["D10"][1], PASTED["C11"][1], PASTED["E3"][1])


@WRITERS
def test_every_exporter_writes_clean_text(tmp_path, writer):
    import docx

    src = writer(tmp_path)
    out = tmp_path / "out.docx"
    result = run("export", src, "--to", "docx", "-o", out)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))  # python-docx reads it back
    texts = [c.text for t in document.tables for row in t.rows for c in row.cells] + [
        p.text for p in document.paragraphs]
    assert not _has_control(texts)
    assert "目标一\n目标二" in texts and "维稳\n任务数量" in texts and "信访工作保障经费" in texts

    out = tmp_path / "out.csv"
    assert run("export", src, "--to", "csv", "-o", out).exit_code == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert not _has_control([v for row in rows for v in row])
    assert any("维稳\n任务数量" in row for row in rows)

    out = tmp_path / "out.json"
    assert run("export", src, "--to", "json", "-o", out).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))  # valid JSON: the exact text, escaped (\u000b)
    assert UnitWorkbook.model_validate(data).projects[0].goals == PASTED["B8"][0]


def test_annotate_shows_control_characters_as_symbols(tmp_path):
    src = _by_xlsxwriter(tmp_path)
    out = tmp_path / "marked.xlsx"
    result = run("validate", src, "--annotate", "-o", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["校验结果"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "目标一␋目标二␇" in values
    assert not _has_control(values)


def test_selfeval_report_and_county_summary_write_clean_text(tmp_path):
    import docx

    src = _by_xlsxwriter(tmp_path)
    evaluation = tmp_path / "自评表.xlsx"
    assert run("selfeval", "new", src, "-o", evaluation).exit_code == 0
    report = tmp_path / "自评报告.docx"
    result = run("export", evaluation, "--to", "docx", "-o", report)
    # an unfilled 自评表 is exported with no grade and exit 1 (issue 18); its text must still be clean
    assert result.exit_code == 1 and "未完成评分" in result.output, result.output
    document = docx.Document(str(report))
    texts = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert not _has_control(texts) and "执行\n合格率" in texts

    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(src, folder / "u.xlsx")
    summary = tmp_path / "全县汇总.xlsx"
    result = run("consolidate", folder, "-o", summary, "--no-cache", "--csv-dir", tmp_path / "csv")
    assert result.exit_code in (0, 1), result.output
    for table in (tmp_path / "csv").glob("*.csv"):
        assert not CONTROL.search(table.read_text(encoding="utf-8-sig")), table.name
    wb = openpyxl.load_workbook(summary)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not _has_control(values) and not any(isinstance(v, str) and "_x00" in v for v in values)
    assert "信访工作保障经费" in values


@requires_soffice
@pytest.mark.libreoffice
@requires_poppler
def test_pdf_export_of_pasted_text(tmp_path):
    src = _by_openpyxl(tmp_path)
    out = tmp_path / "out.pdf"
    result = run("export", src, "--to", "pdf", "-o", out)
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "目标一\n目标二" in text and not CONTROL.search(text.replace("\x0c", ""))  # \x0c: pdftotext's page end


# --- 13: copies keep what they were given ------------------------------------------------------

def _with_formula(src: Path, dst: Path, sheet: str = "项目1", ref: str = "C4",
                  formula: str = "E4+G4", cached: str = "80", kind: str = "") -> Path:
    """``src`` with ``ref`` holding a formula and its saved result (of type ``kind``), written into the sheet XML."""
    part = sheet_parts(zipfile.ZipFile(src))[sheet]

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        xml = data.decode()
        cell = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml).group(0)
        style = re.search(r's="(\d+)"', cell).group(1)
        t = f' t="{kind}"' if kind else ""
        return xml.replace(cell, f'<c r="{ref}" s="{style}"{t}><f>{formula}</f><v>{cached}</v></c>').encode()

    return _rewrite(src, dst, edit)


def _content_type(path: Path, part: str = "/xl/workbook.xml") -> str:
    xml = zipfile.ZipFile(path).read("[Content_Types].xml").decode()
    return re.search(rf'PartName="{re.escape(part)}" ContentType="([^"]+)"', xml).group(1)


def _buttons(path: Path) -> list[str]:
    """The macros the buttons run, over every VML drawing a sheet refers to."""
    zf = zipfile.ZipFile(path)
    rels = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/_rels/"))
    used = [n for n in zf.namelist() if n.endswith(".vml") and Path(n).name.encode() in rels]
    return sorted(m for n in used
                  for m in re.findall(r"<x:FmlaMacro>([^<]+)</x:FmlaMacro>", zf.read(n).decode("utf-8", "replace")))


def _vba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def macro_book(tmp_path_factory) -> Path:
    """The example in the .xlsm template (VBA, buttons), 预算数 as =E4+G4 with its saved result."""
    folder = tmp_path_factory.mktemp("xlsm")
    src = write_workbook(folder / "plain.xlsm", load_example(EXAMPLE))
    return _with_formula(src, folder / "unit.xlsm")


@pytest.mark.parametrize("mode", ["--fix", "--annotate"])
def test_macro_workbook_copy_keeps_vba_buttons_and_content_type(tmp_path, macro_book, mode):
    out = tmp_path / "copy.xlsm"
    result = run("validate", macro_book, mode, "-o", out)
    assert result.exit_code == 0, result.output
    assert _content_type(out) == MACRO_CONTENT_TYPE
    src_zip, out_zip = zipfile.ZipFile(macro_book), zipfile.ZipFile(out)
    assert out_zip.read("xl/vbaProject.bin") == src_zip.read("xl/vbaProject.bin")
    assert _buttons(out) == _buttons(macro_book) and len(_buttons(out)) >= 4
    assert _vba_modules(out) == _vba_modules(macro_book)
    assert any(name.startswith("JixiaoButtons") for name in _vba_modules(out))
    book = read_workbook(out)
    assert book.projects[0].budget == 80  # the formula's saved result is still there


@pytest.mark.parametrize("mode", ["--fix", "--annotate"])
def test_macro_workbook_to_xlsx_is_refused(tmp_path, macro_book, mode):
    out = tmp_path / "copy.xlsx"
    result = run("validate", macro_book, mode, "-o", out)
    assert result.exit_code == 2
    assert "启用宏" in result.output and ".xlsm" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_plain_workbook_to_xlsm_is_refused(tmp_path, example_files):
    out = tmp_path / "copy.xlsm"
    result = run("validate", example_files[EXAMPLE], "--annotate", "-o", out)
    assert result.exit_code == 2 and "不含宏" in result.output and not out.exists()


@pytest.mark.parametrize("mode", ["--fix", "--annotate"])
def test_formula_results_survive_fix_and_annotate(tmp_path, example_files, mode):
    src = _with_formula(example_files[EXAMPLE], tmp_path / "formula.xlsx")
    assert read_workbook(src).projects[0].budget == 80
    out = tmp_path / "copy.xlsx"
    result = run("validate", src, mode, "-o", out)
    assert result.exit_code == 0, result.output
    report = validate_file(out)
    assert not [i for i in report.issues if i.code == "JX-L02"], report.issues
    assert read_workbook(out).projects[0].budget == 80
    ws = openpyxl.load_workbook(out)["项目1"]
    assert ws["C4"].value == "=E4+G4"  # still a formula
    assert openpyxl.load_workbook(out, data_only=True)["项目1"]["A1"].value == "信访工作保障经费绩效目标表"


def test_fix_changes_only_the_fixed_cells(tmp_path, example_files):
    """Every part but the patched sheets is byte for byte the input's; those keep their other cells."""
    src = example_files[EXAMPLE]
    out = tmp_path / "fixed.xlsx"
    assert run("validate", src, "--fix", "-o", out).exit_code == 0
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed == {sheet_parts(a)["项目1"]}  # the example's stray line breaks are all on 项目1
    before, after = openpyxl.load_workbook(src)["项目1"], openpyxl.load_workbook(out)["项目1"]
    differ = {c.coordinate for row in before.iter_rows() for c in row if c.value != after[c.coordinate].value}
    assert differ == {"C10", "B14", "C14", "B15", "C15"}
    assert all(before[ref].style_id == after[ref].style_id for ref in differ)


def test_fix_over_a_formula_drops_the_stale_calculation_chain(tmp_path, example_files):
    """A 项目名称 typed as a formula (``="信访工作 保障经费"``): --fix writes the clean text over it, and the
    calculation chain that lists the cell as a formula is left out (Excel would call the file damaged)."""
    src = _with_formula(example_files[EXAMPLE], tmp_path / "f.xlsx", ref="E3", formula='"信访工作 保障经费"',
                        cached="信访工作 保障经费", kind="str")
    chain = tmp_path / "chain.xlsx"
    part = sheet_parts(zipfile.ZipFile(src))["项目1"]
    sheet_id = list(sheet_parts(zipfile.ZipFile(src))).index("项目1") + 1

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxml'
                                b'formats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                                b"</Relationships>")
        return data

    _rewrite(src, chain, edit)
    with zipfile.ZipFile(chain, "a") as zf:
        zf.writestr("xl/calcChain.xml", f'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                        f'main"><c r="E3" i="{sheet_id}"/></calcChain>')
    assert read_workbook(chain).projects[0].name == "信访工作 保障经费"
    out = tmp_path / "fixed.xlsx"
    assert run("validate", chain, "--fix", "-o", out).exit_code == 0
    zf = zipfile.ZipFile(out)
    assert "xl/calcChain.xml" not in zf.namelist()
    assert b"calcChain" not in zf.read("[Content_Types].xml") + zf.read("xl/_rels/workbook.xml.rels")
    assert read_workbook(out).projects[0].name == "信访工作保障经费"
    assert openpyxl.load_workbook(out)["项目1"]["E3"].data_type == "s"
    assert part in zf.namelist()


@requires_soffice
@pytest.mark.libreoffice
def test_fix_of_a_workbook_recalculated_by_libreoffice(tmp_path, example_files):
    """A formula typed by a clerk and saved by a real spreadsheet (LibreOffice stores its result)."""
    from jixiao.excel.office import convert

    wb = openpyxl.load_workbook(example_files[EXAMPLE])
    wb["项目1"]["C4"] = "=E4+G4"
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    saved = convert(typed, "xlsx", tmp_path / "lo")
    out = tmp_path / "fixed.xlsx"
    result = run("validate", saved, "--fix", "-o", out)
    assert result.exit_code == 0, result.output
    assert read_workbook(out).projects[0].budget == 80
    assert not [i for i in validate_file(out).issues if i.code == "JX-L02"]
    again = read_workbook(convert(out, "xlsx", tmp_path / "again"))  # the patched copy opens in a real client
    assert again.projects[0].indicators[0].level3 == "完成维稳任务" and again.projects[0].budget == 80


# --- 14: Strict Open XML --------------------------------------------------------------------------

_STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def _strict(src: Path, dst: Path) -> Path:
    """What Excel's "Strict Open XML Spreadsheet" writes: the same parts under the ISO namespaces."""
    def edit(name: str, data: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return data
        for a, b in _STRICT.items():
            data = data.replace(a, b)
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return data

    return _rewrite(src, dst, edit)


@pytest.mark.parametrize("args", [
    ["validate", "{src}"], ["validate", "{src}", "--fix", "-o", "{out}.xlsx"],
    ["validate", "{src}", "--annotate", "-o", "{out}.xlsx"], ["totals", "{src}"],
    ["export", "{src}", "--to", "docx", "-o", "{out}.docx"], ["selfeval", "new", "{src}", "-o", "{out}.xlsx"],
], ids=["validate", "fix", "annotate", "totals", "export", "selfeval"])
def test_strict_workbook_is_refused_by_every_command(tmp_path, example_files, args):
    src = _strict(example_files[EXAMPLE], tmp_path / "strict.xlsx")
    out = tmp_path / "out"
    result = run(*[a.format(src=src, out=out) for a in args])
    assert result.exit_code == 2, result.output
    assert "JX-D03" in result.output and "严格 Open XML" in result.output and "Excel 工作簿(*.xlsx)" in result.output
    assert "Traceback" not in result.output and "意外错误" not in result.output
    assert not list(tmp_path.glob("out*"))


def test_strict_workbook_is_listed_not_consolidated(tmp_path, example_files):
    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(example_files[EXAMPLE], folder / "ok.xlsx")
    _strict(example_files[EXAMPLE], folder / "strict.xlsx")
    result = run("consolidate", folder, "-o", tmp_path / "sum.xlsx", "--no-cache", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    rejected = {Path(r["path"]).name: r for r in data["not_consolidated_files"]}
    assert set(rejected) == {"strict.xlsx"} and "严格 Open XML" in rejected["strict.xlsx"]["reason"]


def test_totals_sheet_copy_keeps_vba_and_formula_results(tmp_path, macro_book):
    """``totals --write`` goes through openpyxl as --annotate does, with the same guarantees."""
    out = tmp_path / "totals.xlsm"
    result = run("totals", macro_book, "--write", "-o", out)
    assert result.exit_code == 0, result.output
    assert _content_type(out) == MACRO_CONTENT_TYPE and _buttons(out) == _buttons(macro_book)
    assert zipfile.ZipFile(out).read("xl/vbaProject.bin") == zipfile.ZipFile(macro_book).read("xl/vbaProject.bin")
    assert read_workbook(out).projects[0].budget == 80
    assert run("totals", macro_book, "--write", "-o", tmp_path / "t.xlsx").exit_code == 2


def test_patch_sheet_places_new_cells_and_rows_in_order():
    """Rows and cells without ``r`` (optional in the format), a missing row, a missing cell, text that
    looks like a formula or holds an escape: all land where they belong, as text."""
    from jixiao.excel.zippatch import patch_sheet

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (f'<worksheet xmlns="{ns}"><sheetData><row><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
           f'<!-- a comment --><row r="5" spans="3:3"><c r="C5" s="0"><v>1</v></c></row></sheetData></worksheet>').encode()
    out = patch_sheet(xml, {"B1": "=1+1", "A3": "x_x000B_y\x0bz", "B5": None, "D5": "d", "C5": "c"})
    path = Path(__import__("tempfile").mkdtemp()) / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.save(path)
    part = sheet_parts(zipfile.ZipFile(path))["Sheet"]
    _rewrite(path, path.with_name("p.xlsx"), lambda n, d: out if n == part else d)
    ws = openpyxl.load_workbook(path.with_name("p.xlsx"))["Sheet"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=5, max_col=4)] == [
        ["a", "=1+1", None, None], [None] * 4, ["x_x005F_x000B_y_x000B_z", None, None, None], [None] * 4,
        [None, None, "c", "d"]]
    assert ws["B1"].data_type == "s" and b'<c r="C5" s="0" t="inlineStr">' in out  # text, style kept
    assert b'<row r="5">' in out  # its span hint no longer holds for the new D5
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path.with_name("p.xlsx"))).get_sheet_by_name("Sheet")
    rows = sheet.to_python(skip_empty_area=False)
    assert rows[0][:2] == ["a", "=1+1"] and rows[2][0] == "x_x000B_y\x0bz" and rows[4][2:4] == ["c", "d"]


def test_macro_content_type_without_vba_counts_as_macro_workbook(tmp_path, example_files):
    """Excel's "save as .xlsm" of a workbook with no macros: the content type alone says .xlsm."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                MACRO_CONTENT_TYPE.encode())
        return data

    src = _rewrite(example_files[EXAMPLE], tmp_path / "nomacros.xlsm", edit)
    assert run("validate", src, "--fix", "-o", tmp_path / "f.xlsx").exit_code == 2
    for mode in ("--fix", "--annotate"):
        out = tmp_path / f"copy{mode}.xlsm"
        result = run("validate", src, mode, "-o", out)
        assert result.exit_code == 0, result.output
        assert _content_type(out) == MACRO_CONTENT_TYPE


def test_patching_never_resolves_external_entities():
    """--fix parses the sheet XML itself (lxml): an external entity stays an unresolved reference."""
    from jixiao.excel.zippatch import patch_sheet

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet xmlns="{ns}">'
           f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')
    out = patch_sheet(xml.encode(), {"B1": "x"})
    assert b"root:" not in out and b"<t>x</t>" in out.replace(b' xml:space="preserve"', b"")


@pytest.mark.parametrize("template", sorted((Path(__file__).parent.parent / "workbook_templates").glob("*.xlsm")),
                         ids=lambda p: p.stem)
def test_committed_macro_templates_survive_annotate(tmp_path, template):
    """The .xlsm templates clerks are given, as committed: annotated (a blank one has errors to mark)."""
    out = tmp_path / "marked.xlsm"
    result = run("validate", template, "--annotate", "-o", out)
    assert result.exit_code in (0, 1), result.output
    assert _content_type(out) == MACRO_CONTENT_TYPE
    assert zipfile.ZipFile(out).read("xl/vbaProject.bin") == zipfile.ZipFile(template).read("xl/vbaProject.bin")
    assert _buttons(out) == _buttons(template) and _buttons(template)
    assert _vba_modules(out) == _vba_modules(template)
    assert "校验结果" in openpyxl.load_workbook(out).sheetnames


_PIECES = [*"a中 _x0B5F\n\r\t&<>\"'=", *map(chr, range(32)), "\ufffe", "_x000B_", "_x005F_", "_x4E2D_"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXT, min_size=1, max_size=4))
def test_patched_text_reads_back_exactly(tmp_path_factory, texts):
    """Whatever --fix writes (control characters, literal ``_xHHHH_``, XML specials) reads back as written,
    and every exporter's text is accepted by an XML writer."""
    from lxml import etree
    from python_calamine import CalamineWorkbook

    from jixiao.forms.textsafe import clean_control, xml_text
    from jixiao.excel.zippatch import patch_cells

    folder = tmp_path_factory.mktemp("p")
    wb = openpyxl.Workbook()
    wb.save(folder / "a.xlsx")
    patch_cells(folder / "a.xlsx", folder / "b.xlsx", {"Sheet": {f"A{i + 1}": t for i, t in enumerate(texts)}})
    sheet = CalamineWorkbook.from_path(str(folder / "b.xlsx")).get_sheet_by_name("Sheet")
    rows = sheet.to_python(skip_empty_area=False)
    got = [(r[0] if r else "") for r in rows]
    assert got + [""] * (len(texts) - len(got)) == [t.replace("\ufffe", "") for t in texts]  # no cell holds U+FFFE
    for t in texts:
        etree.Element("t").text = xml_text(t)  # raises for anything XML cannot hold
        assert not CONTROL.search(clean_control(t))


def test_fix_takes_the_unit_off_a_number(tmp_path):
    """``80万元`` typed into 预算数 and ``2026年`` into 预算年度: --fix leaves the numbers, as numbers;
    ``十二万`` has no fix and stays an error at its cell."""
    src = write_workbook(tmp_path / "单位.xlsx", load_example("luanping_xinfang_2026"))
    wb = openpyxl.load_workbook(src)
    wb["单位信息"]["B6"], wb["项目1"]["C4"], wb["项目1"]["G4"] = "2026年", "８０ 万元", "十二万"
    wb.save(src)
    out = tmp_path / "修正.xlsx"
    result = run("validate", src, "--fix", "-o", out)
    assert result.exit_code == 1, result.output  # 十二万 is still an error
    wb = openpyxl.load_workbook(out)
    assert (wb["单位信息"]["B6"].value, wb["项目1"]["C4"].value, wb["项目1"]["G4"].value) == (2026, 80, "十二万")
    left = [(i.code, i.sheet, i.cell) for i in validate_file(out).issues if i.code == "JX-L03"]
    assert left == [("JX-L03", "项目1", "G4")]


@requires_soffice
@requires_poppler
@pytest.mark.libreoffice
def test_fix_saves_the_title_it_changes_and_asks_for_recalculation(tmp_path):
    """The project sheet's title is a formula of its 项目名称. --fix takes the stray space out of the name;
    the title's saved result, which LibreOffice prints as it is, was the old name's. Saved by a real client
    first (LibreOffice, as a clerk's PC would), the copy also asks Excel and WPS to recalculate on opening."""
    from jixiao.excel.office import convert

    book = load_example(EXAMPLE)
    book.projects[0].name = "信访工作 保障经费"
    typed = write_workbook(tmp_path / "typed.xlsx", book)
    saved = convert(typed, "xlsx", tmp_path / "lo")  # LibreOffice's own save: its calcPr, its saved results
    assert openpyxl.load_workbook(saved, data_only=True)["项目1"]["A1"].value == "信访工作 保障经费绩效目标表"
    out = tmp_path / "fixed.xlsx"
    result = run("validate", saved, "--fix", "-o", out)
    assert result.exit_code == 0, result.output
    fixed = openpyxl.load_workbook(out, data_only=True)["项目1"]
    assert (fixed["E3"].value, fixed["A1"].value) == ("信访工作保障经费", "信访工作保障经费绩效目标表")
    assert openpyxl.load_workbook(out)["项目1"]["A1"].value.startswith("=IF(")  # still the formula
    calc = re.search(rb"<calcPr[^>]*>", zipfile.ZipFile(out).read("xl/workbook.xml"))
    assert calc and b'fullCalcOnLoad="1"' in calc.group(0), calc
    outdir = tmp_path / "pdf"  # printed by LibreOffice with a new profile's settings: saved results trusted
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(out)], check=True, capture_output=True,
                   timeout=240)
    text = subprocess.run(["pdftotext", str(outdir / "fixed.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "信访工作保障经费绩效目标表" in text and "信访工作 保障经费绩效目标表" not in text
