"""Shared fixtures: real workbooks written to a temporary folder."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from jixiao.examples import EXAMPLES, load_example
from jixiao.forms.template import write_workbook

requires_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                      reason="LibreOffice (soffice) is not installed")


def as_at_a_terminal() -> None:
    """``preexec_fn`` for a child the test will Ctrl-C: SIGINT handled by default, as at a terminal.

    A suite started in the background (``pytest &`` without job control, ``nohup``) runs with SIGINT
    ignored, and a Python started that way keeps ignoring it: the Ctrl-C tests would then see the
    command run to its end and say nothing about what a clerk's Ctrl-C does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


requires_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                      reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(scope="session")
def example_books():
    return {name: load_example(name) for name in EXAMPLES}


@pytest.fixture(scope="session")
def example_files(tmp_path_factory, example_books) -> dict[str, Path]:
    """Each seed example written as a unit workbook."""
    folder = tmp_path_factory.mktemp("examples")
    return {name: write_workbook(folder / f"{name}.xlsx", book) for name, book in example_books.items()}


@pytest.fixture
def foreign_xlsx(tmp_path) -> Path:
    """A workbook that was not made from a jixiao template."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目编码"
    wb.active["B1"] = "13082426P000327100327"
    path = tmp_path / "foreign.xlsx"
    wb.save(path)
    return path
