"""Hostile and broken inputs: every command gives a JX code and a Chinese message, never a traceback."""

from __future__ import annotations

import pytest

from corpus import COMMANDS, CORPUS, run

UNREADABLE = {"truncated", "corrupt", "zip_bomb", "password", "xls", "xls_renamed", "csv_renamed",
              "html_renamed", "empty"}
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
