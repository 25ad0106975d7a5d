"""model → workbook → model is lossless, on every engine."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from jixiao.forms.reader import read_workbook
from jixiao.forms.template import write_workbook

from strategies import unit_workbook

ENGINES = ["calamine", "openpyxl"]


@pytest.mark.parametrize("engine", ENGINES)
def test_examples_round_trip(example_books, example_files, engine):
    for name, book in example_books.items():
        back = read_workbook(example_files[name], engine)
        assert back == book, name


def test_values_keep_their_cells(example_files):
    book = read_workbook(example_files["luanping_xinfang_2026"])
    first, second = book.projects
    assert (first.sheet, second.sheet) == ("项目1", "项目2")
    assert str(first.loc("budget")) == "项目1!C4"
    assert str(first.loc("code")) == "项目1!B3"
    assert str(first.loc("plan.6月底")) == "项目1!D7"
    assert str(first.indicators[4].loc("value_text")) == "项目1!E14"
    assert str(book.unit.loc("code")) == "单位信息!B3"


def test_text_starting_with_equals_stays_text(tmp_path, example_books):
    book = example_books["luanping_xinfang_2026"].model_copy(deep=True)
    book.projects[0].indicators[0].level3 = "=SUM(A1:A3)"
    book.projects[0].purpose = "=1+1"
    path = write_workbook(tmp_path / "eq.xlsx", book)
    for engine in ENGINES:
        back = read_workbook(path, engine)
        assert back.projects[0].indicators[0].level3 == "=SUM(A1:A3)"
        assert back.projects[0].purpose == "=1+1"


def test_money_text_is_kept_raw(tmp_path, example_books):
    book = example_books["luanping_xinfang_2026"].model_copy(deep=True)
    book.projects[0].budget = None
    book.projects[0].raw = {"budget": "80万"}
    back = read_workbook(write_workbook(tmp_path / "raw.xlsx", book))
    assert back.projects[0].budget is None
    assert back.projects[0].raw == {"budget": "80万"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(book=unit_workbook())
def test_random_models_round_trip(tmp_path, book):
    path = write_workbook(tmp_path / "random.xlsx", book)
    for engine in ENGINES:
        back = read_workbook(path, engine)
        assert back == book
