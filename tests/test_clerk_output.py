"""Issue 14, outputs: an output never destroys an input (1), a full disk is a clean JX-D05 (11),
LibreOffice cannot hang (16), extensions fit content (20), the wrong kind of workbook names the right
command (21), missing optional parts name their fix (22). Real files, real CLI runs."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.errors import JixiaoError

from conftest import as_at_a_terminal, requires_soffice, tmpfs

ENGLISH = ("Traceback", "Exception ignored", "Usage:", "Error:", "Errno", "No space left")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def cli(*args, env=None, preexec_fn=None, pre=""):
    """The real ``jixiao`` in a subprocess: what a clerk sees on stderr, finalisers included."""
    code = f"{pre}\nfrom jixiao.cli import main\nmain()"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, preexec_fn=preexec_fn, timeout=300)


@pytest.fixture
def folder(tmp_path, example_files):
    """A county folder of three real unit workbooks."""
    f = tmp_path / "各单位"
    f.mkdir()
    for name, path in example_files.items():
        shutil.copy(path, f / f"{name}.xlsx")
    return f


@pytest.fixture
def unit(folder):
    return folder / "luanping_xinfang_2026.xlsx"


@pytest.fixture
def selfeval(tmp_path, unit):
    out = tmp_path / "自评表.xlsx"
    assert run("selfeval", "new", unit, "-o", out).exit_code == 0
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _refused(result, *words):
    assert result.exit_code == 2, result.output
    assert "JX-D05" in result.output, result.output
    for w in words:
        assert w in result.output, result.output
    assert not any(e in result.output for e in ENGLISH), result.output


# --- 1. an output never destroys an input -------------------------------------------------------------

def test_consolidate_into_a_unit_of_the_folder_is_refused_before_reading(folder, unit):
    before = _snapshot(folder)
    result = run("consolidate", folder, "-o", unit)
    _refused(result, str(unit))
    assert _snapshot(folder) == before  # the unit is intact, and no cache was created: nothing was read


def test_consolidate_output_is_the_folder_itself(folder):
    result = run("consolidate", folder, "-o", folder)
    assert result.exit_code == 2 and "文件夹" in result.output and "Error" not in result.output


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_output_that_is_a_link_to_an_input_is_refused(tmp_path, folder, unit, link):
    out = tmp_path / "链接.xlsx"
    (os.symlink if link == "symlink" else os.link)(unit, out)
    before = unit.read_bytes()
    for args in (["consolidate", folder, "-o", out], ["validate", unit, "--fix", "-o", out],
                 ["validate", unit, "--annotate", "-o", out], ["totals", unit, "--write", "-o", out]):
        _refused(run(*args), str(out))
    assert unit.read_bytes() == before


def test_no_command_replaces_a_unit_workbook_or_selfeval(tmp_path, unit, selfeval):
    other = tmp_path / "另一单位.xlsx"
    shutil.copy(unit, other)
    kept = {p: p.read_bytes() for p in (other, selfeval)}
    for target in (other, selfeval):
        for args in (["validate", unit, "--fix", "-o", target], ["validate", unit, "--annotate", "-o", target],
                     ["totals", unit, "--write", "-o", target], ["import", tmp_path / "x.txt", "-o", target],
                     ["consolidate", unit, "-o", target]):
            if args[0] == "import":
                (tmp_path / "x.txt").write_text("项目编码\t1\n", encoding="utf-8")
            _refused(run(*args), str(target))
    _refused(run("selfeval", "new", unit, "-o", selfeval), "自评表")
    _refused(run("score", selfeval, "--write", "-o", other), "单位填报工作簿")
    assert {p: p.read_bytes() for p in kept} == kept


def test_a_summary_is_replaced_only_by_a_summary(tmp_path, folder, unit):
    out = tmp_path / "全县汇总.xlsx"
    assert run("consolidate", folder, "-o", out).exit_code in (0, 1)
    assert run("consolidate", folder, "-o", out, "--no-cache").exit_code in (0, 1)  # a new summary: fine
    before = out.read_bytes()
    _refused(run("validate", unit, "--fix", "-o", out), "汇总")
    assert out.read_bytes() == before


def test_summary_inside_the_input_folder_is_not_an_input(folder):
    out = folder / "全县汇总.xlsx"
    first = run("consolidate", folder, "-o", out)
    assert first.exit_code in (0, 1), first.output
    again = run("consolidate", folder, "-o", out)
    assert again.exit_code == first.exit_code, again.output


def test_csv_dir_inside_the_input_folder_is_refused(tmp_path, folder):
    result = run("consolidate", folder, "-o", tmp_path / "s.xlsx", "--csv-dir", folder / "导出")
    _refused(result, "导出")
    assert not (tmp_path / "s.xlsx").exists()


def test_templates_and_demo_rebuild_their_own_files_but_not_a_filled_unit(tmp_path, unit):
    out = tmp_path / "模板"
    assert run("templates", "build", "--out", out, "--profile", "hebei").exit_code == 0
    assert run("templates", "build", "--out", out, "--profile", "hebei").exit_code == 0  # blank: replaceable
    target = out / "jixiao-unit-hebei.xlsx"
    shutil.copy(unit, target)  # a clerk saved a filled workbook under the template's name
    before = target.read_bytes()
    _refused(run("templates", "build", "--out", out, "--profile", "hebei"), str(target))
    assert target.read_bytes() == before
    demo = tmp_path / "demo"
    assert run("demo", "--out", demo).exit_code == 0
    assert run("demo", "--out", demo).exit_code == 0  # the same units again, byte for byte


def test_addin_consolidation_never_overwrites_a_unit_named_like_the_summary(folder, unit):
    from types import SimpleNamespace

    from jixiao import addin

    said = []
    book = SimpleNamespace(app=SimpleNamespace(alert=lambda message, title=None: said.append(message)))
    clash = folder / "全县汇总.xlsx"
    shutil.copy(unit, clash)  # a unit saved its workbook under the summary's name
    before = clash.read_bytes()
    assert addin.consolidate_folder(book, folder=str(folder)) is None
    assert clash.read_bytes() == before
    assert "JX-D05" in said[0] and "全县汇总.xlsx" in said[0]


# --- 20. extensions fit content; -o without the flag that writes ---------------------------------------

@pytest.mark.parametrize("args, name", [
    (["validate", "{u}", "--annotate", "-o", "{t}/b.xls"], "b.xls"),
    (["validate", "{u}", "--fix", "-o", "{t}/b.csv"], "b.csv"),
    (["totals", "{u}", "--write", "-o", "{t}/b.docx"], "b.docx"),
    (["export", "{u}", "--to", "docx", "-o", "{t}/q.pdf"], "q.pdf"),
    (["export", "{u}", "--to", "pdf", "-o", "{t}/q.docx"], "q.docx"),
    (["export", "{u}", "--to", "json", "-o", "{t}/q.csv"], "q.csv"),
    (["export", "{u}", "--to", "csv", "-o", "{t}/q.xlsx"], "q.xlsx"),
    (["selfeval", "new", "{u}", "-o", "{t}/s.xlsm"], "s.xlsm"),
    (["consolidate", "{u}", "-o", "{t}/s.xls"], "s.xls"),
    (["templates", "addin", "--out", "{t}/a.xlsm"], "a.xlsm"),
])
def test_output_extension_must_fit_content(tmp_path, unit, args, name):
    result = run(*[a.format(u=unit, t=tmp_path) for a in args])
    _refused(result, name, "扩展名")
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("args, flag", [
    (["totals", "{u}", "-o", "{t}/o.xlsx"], "--write"),
    (["validate", "{u}", "-o", "{t}/o.xlsx"], "--fix"),
    (["score", "{s}", "-o", "{t}/o.xlsx"], "--write"),
])
def test_output_without_the_writing_flag_says_what_is_missing(tmp_path, unit, selfeval, args, flag):
    result = run(*[a.format(u=unit, s=selfeval, t=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert flag in result.output and "-o" in result.output
    assert not (tmp_path / "o.xlsx").exists()


# --- 21. the wrong kind of workbook names the right command --------------------------------------------

def test_selfeval_given_to_target_commands_names_score(tmp_path, selfeval):
    for args in (["validate", selfeval], ["totals", selfeval], ["show", selfeval],
                 ["export", selfeval, "--to", "json", "-o", tmp_path / "x.json"]):
        result = run(*args)
        assert result.exit_code in (1, 2), result.output
        assert "这是自评表" in result.output and "jixiao score" in result.output, result.output


def test_unit_workbook_given_to_score_names_validate_and_selfeval_new(unit):
    result = run("score", unit)
    assert result.exit_code == 2
    assert "jixiao validate" in result.output and "jixiao selfeval new" in result.output


# --- 11. a full disk (a real one) ----------------------------------------------------------------------

def test_full_disk_is_a_clean_jx_d05_for_every_writer(full_disk, unit, selfeval):
    out = full_disk / "out"
    cases = [
        (["validate", unit, "--fix", "-o", out / "修正.xlsx"], out / "修正.xlsx"),
        (["validate", unit, "--annotate", "-o", out / "标注.xlsx"], out / "标注.xlsx"),
        (["totals", unit, "--write", "-o", out / "汇总.xlsx"], out / "汇总.xlsx"),
        (["selfeval", "new", unit, "-o", out / "自评.xlsx"], out / "自评.xlsx"),
        (["score", selfeval, "--write", "-o", out / "打分.xlsx"], out / "打分.xlsx"),
        (["export", unit, "--to", "docx", "-o", out / "文本.docx"], out / "文本.docx"),
        (["export", unit, "--to", "json", "-o", full_disk / "旧.json"], full_disk / "旧.json"),
        (["templates", "build", "--out", out / "模板", "--profile", "hebei"], out / "模板"),
        (["templates", "addin", "--out", out / "jixiao.xlam"], out / "jixiao.xlam"),
        (["consolidate", unit, "-o", out / "全县.xlsx", "--no-cache"], out / "全县.xlsx"),
    ]
    for i, (args, target) in enumerate(cases):
        if i in (0, 3, 5):  # openpyxl, xlsxwriter, python-docx: in a real process, finalisers included
            done = cli(*args)
            code, said = done.returncode, done.stdout + done.stderr
        else:
            result = run(*args)
            code, said = result.exit_code, result.output
        assert code == 2, (args, said)
        assert "磁盘已满" in said and "JX-D05" in said, (args, said)
        assert str(target) in said or str(target.parent) in said, (args, said)
        assert not any(e in said for e in ENGLISH), (args, said)
    assert (full_disk / "旧.json").read_text(encoding="utf-8") == '{"old": true}'  # not replaced, not truncated
    left = [p.name for p in out.rglob("*") if p.is_file()]
    assert left == [], left  # no partial output, no temporary file


def test_full_disk_leaves_no_finaliser_noise_from_the_library(full_disk, unit):
    """Without the CLI's hook: the writers a failed save left open are closed by atomic_path."""
    code = ("from jixiao.errors import OutputError\n"
            "from jixiao.selfeval.writer import write_selfeval\n"
            "from jixiao.checks.fix import write_fixed\n"
            f"for call in (lambda: write_selfeval({str(full_disk / 'a.xlsx')!r}),\n"
            f"             lambda: write_fixed({str(unit)!r}, {str(full_disk / 'b.xlsx')!r}, [])):\n"
            "    try:\n        call()\n    except OutputError as e:\n        print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.count("磁盘已满") == 2, done.stdout + done.stderr
    assert done.stderr == "", done.stderr


def test_read_only_disk_is_named(tmp_path, unit):
    with tmpfs(tmp_path / "只读", "ro,size=64k") as disk:
        result = run("validate", unit, "--fix", "-o", disk / "修正.xlsx")
        _refused(result, str(disk), "磁盘是只读的")


def test_file_size_limit_is_named_too(tmp_path, unit):
    """RLIMIT_FSIZE (works without root): the write fails with EFBIG, said in Chinese."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    target = tmp_path / "out" / "修正.xlsx"
    done = cli("validate", unit, "--fix", "-o", target, preexec_fn=limit)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "文件超过系统允许的大小" in said and str(target) in said and "JX-D05" in said
    assert not any(e in said for e in ENGLISH), said
    assert list((tmp_path / "out").iterdir()) == []


def test_output_folder_that_cannot_exist_is_said_in_chinese(unit):
    result = run("export", unit, "--to", "json", "-o", "/dev/null/x.json")
    _refused(result, "/dev/null", "路径中有一部分不是文件夹")


# --- 22. missing optional parts name their fix ---------------------------------------------------------

def test_addin_without_xlwings_names_the_extra(tmp_path):
    done = cli("templates", "addin", "--out", tmp_path / "jixiao.xlam", pre="import sys; sys.modules['xlwings'] = None")
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert 'pip install "jixiao[excel]"' in said and "意外错误" not in said and "Traceback" not in said


def test_csv_dir_writes_csv_and_parquet(tmp_path, folder):
    out = tmp_path / "导出"
    result = run("consolidate", folder, "-o", tmp_path / "s.xlsx", "--csv-dir", out)
    assert result.exit_code in (0, 1), result.output
    assert {p.suffix for p in out.iterdir()} == {".csv", ".parquet"}
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(p.stem for p in out.glob("*.parquet"))


def test_csv_dir_without_pyarrow_says_why(tmp_path, folder):
    out = tmp_path / "导出"
    done = cli("consolidate", folder, "-o", tmp_path / "s.xlsx", "--csv-dir", out,
               pre="import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None")
    said = done.stdout + done.stderr
    assert done.returncode in (0, 1), said
    assert 'pip install "jixiao[data]"' in said and "Parquet" in said
    assert {p.suffix for p in out.iterdir()} == {".csv"}


def _fake_calc_only(tmp_path) -> Path:
    """A LibreOffice laid out as Debian's libreoffice-calc without libreoffice-writer."""
    program = tmp_path / "lo" / "program"
    program.mkdir(parents=True)
    (program / "libsclo.so").write_bytes(b"")
    exe = program / "soffice"
    exe.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 0\n")
    exe.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "soffice").symlink_to(exe)
    return bin_dir


def test_pdf_export_without_writer_names_libreoffice_writer(tmp_path, unit):
    bin_dir = _fake_calc_only(tmp_path)
    done = cli("export", unit, "--to", "pdf", "-o", tmp_path / "文本.pdf",
               env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "libreoffice-writer" in said and "source file" not in said
    assert not (tmp_path / "文本.pdf").exists()


def test_pdf_export_without_libreoffice_names_libreoffice_writer(tmp_path, unit):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = cli("export", unit, "--to", "pdf", "-o", tmp_path / "文本.pdf", env={"PATH": str(empty)})
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "libreoffice-writer" in said and "Traceback" not in said


@requires_soffice
def test_libreoffice_cannot_load_is_said_in_chinese(tmp_path, unit):
    from jixiao.excel.office import convert

    broken = tmp_path / "坏.docx"
    broken.write_bytes(unit.read_bytes()[:3000])  # a truncated package
    with pytest.raises(JixiaoError) as err:
        convert(broken, "pdf", tmp_path / "out")
    assert "libreoffice-writer" in str(err.value) and "source file" not in str(err.value)


# --- 16. LibreOffice cannot hang -----------------------------------------------------------------------

def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@requires_soffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_libreoffice_timeout_ends_the_whole_process_tree(tmp_path, monkeypatch, unit):
    import tempfile

    from jixiao.excel.office import convert

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the profile folder names our processes
    start = time.monotonic()
    with pytest.raises(JixiaoError) as err:
        convert(unit, "pdf", tmp_path / "out", timeout=0.5)
    assert time.monotonic() - start < 30
    assert "超过 0.5 秒" in str(err.value) and "已结束它的全部进程" in str(err.value)
    time.sleep(0.5)
    assert _processes_mentioning(str(tmp_path)) == []  # no orphan soffice.bin


@requires_soffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_ctrl_c_during_pdf_export_ends_libreoffice_too(tmp_path, unit):
    """LibreOffice runs in its own session, out of reach of the terminal's Ctrl-C: jixiao ends it."""
    out = tmp_path / "导出"
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "export", str(unit), "--to", "pdf", "-o",
                             str(out / "文本.pdf")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=as_at_a_terminal,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not _processes_mentioning(str(tmp_path) + "/jixiao-lo-"):
        time.sleep(0.05)
    assert proc.poll() is None, "the export ended before LibreOffice could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "已取消" in stderr and "Traceback" not in stderr
    time.sleep(0.5)
    assert _processes_mentioning(str(tmp_path) + "/jixiao-lo-") == []
    assert not (out / "文本.pdf").exists()


@requires_soffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_ctrl_c_during_pdf_export_leaves_nothing_in_temp(tmp_path, unit):
    """Killed mid-conversion, soffice.bin cannot remove its own lu*.tmp files: they went to the
    clerk's TEMP and stayed there, one set per Ctrl-C. They now live in the profile, removed with it."""
    temp = tmp_path / "temp"
    temp.mkdir()
    out = tmp_path / "文本.pdf"
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "export", str(unit), "--to", "pdf", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_at_a_terminal, env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not _processes_mentioning(str(temp) + "/jixiao-lo-"):
        time.sleep(0.05)
    time.sleep(2)  # LibreOffice is up and has made its temporary files
    assert proc.poll() is None, "the export ended before LibreOffice could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    time.sleep(0.5)
    assert _processes_mentioning(str(temp)) == []
    assert sorted(p.name for p in temp.iterdir()) == []
    assert not out.exists()
