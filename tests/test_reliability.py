"""Hostile and broken inputs: every command gives a JX code and a Chinese message, never a traceback."""

from __future__ import annotations

import pytest

from corpus import COMMANDS, CORPUS, run

UNREADABLE = {"truncated", "corrupt", "zip_bomb", "password", "xls", "xls_renamed", "csv_renamed",
              "html_renamed", "empty", "strict_ooxml"}
NOT_OURS = {"other_template", "old_version"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return {name: maker(folder) for name, (_, maker) in CORPUS.items()}


@pytest.mark.parametrize("name", list(CORPUS))
@pytest.mark.parametrize("command", COMMANDS)
def test_every_input_every_command(inputs, name, command, tmp_path):
    outcome = run(command, inputs[name], tmp_path)
    assert not outcome["traceback"], outcome
    assert outcome["input_unchanged"], outcome
    assert not outcome["leaked"], "an external entity was resolved"
    if command == "addin" and outcome["exit"] is None:
        return
    if name in UNREADABLE:
        if command == "consolidate":  # the good file is consolidated, this one is listed with its reason
            assert outcome["exit"] == 1 and "JX-D03" in outcome["codes"], outcome
        else:
            assert outcome["exit"] == 2 and "JX-D03" in outcome["codes"], outcome
    elif name in NOT_OURS:
        expected = {"validate": (1, "JX-L01"), "totals": (2, "JX-L01"), "export": (2, "JX-L01"),
                    "consolidate": (1, "JX-D03"), "addin": (2, "JX-L01")}[command]
        assert (outcome["exit"], expected[1] in outcome["codes"]) == (expected[0], True), outcome
    if outcome["exit"] not in (0, None):
        assert outcome["codes"], f"a failure must carry a JX code: {outcome}"


def test_specific_outcomes(inputs, tmp_path):
    assert "JX-L01" in run("validate", inputs["rows_inserted"], tmp_path / "a")["codes"]
    assert "JX-L03" in run("validate", inputs["date_in_number"], tmp_path / "b")["codes"]
    assert run("validate", inputs["full_width"], tmp_path / "c")["exit"] == 0
    assert run("consolidate", inputs["chinese_name"], tmp_path / "g")["exit"] == 0
    assert run("validate", inputs["number_as_text"], tmp_path / "d")["exit"] == 0
    bomb = run("validate", inputs["zip_bomb"], tmp_path / "e")
    assert "压缩炸弹" in bomb["message"] or "解压后" in bomb["message"]
    assert "密码" in run("validate", inputs["password"], tmp_path / "f")["message"]


@pytest.mark.parametrize("name, content", [
    ("损坏.docx", b"PK\x03\x04not a real document"),
    ("空.txt", b""),
    ("乱码.pdf", b"%PDF-1.4 garbage"),
    ("不是文档.xlsx", b"PK\x03\x04"),
    ("图片.png", b"\x89PNG\r\n\x1a\n"),
])
def test_import_of_bad_documents(tmp_path, name, content):
    from click.testing import CliRunner

    from jixiao.cli import main

    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 2 and "JX-D03" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.xlsx").exists(), "nothing half-written"


def test_external_entities_are_not_resolved_on_the_openpyxl_path(inputs, tmp_path):
    """--annotate loads the whole workbook with openpyxl, which goes through defusedxml."""
    from click.testing import CliRunner

    from jixiao.cli import main

    result = CliRunner().invoke(main, ["validate", str(inputs["xxe"]), "--annotate", "-o", str(tmp_path / "a.xlsx")])
    assert "Traceback" not in result.output and "root:x:0:0" not in result.output
    assert result.exit_code == 2 and "JX-D03" in result.output  # defusedxml refused the entity


def test_formula_with_a_cached_value(inputs, tmp_path):
    """A formula typed into 预算数 and saved by a spreadsheet (so it has a result): calamine reads the result,
    the openpyxl engine sees the formula and reports it (JX-L05)."""
    import shutil

    from jixiao.excel.office import convert
    from jixiao.checks.validate import validate_file

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is needed to compute the cached value")
    cached = convert(inputs["formula_input"], "xlsx", tmp_path / "lo")
    fast = validate_file(cached)  # calamine: the cached result
    assert "JX-L02" not in {i.code for i in fast.issues if i.cell == "C4"}
    strict = validate_file(cached, engine="openpyxl")
    assert any(i.code == "JX-L05" and i.cell == "C4" for i in strict.issues)
