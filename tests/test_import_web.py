"""`jixiao import` on saved web pages: a county site's page kept as .html (in GBK, as many are), as one
.mht file, and an "Excel" export that is an HTML table under a .xls name. The pages are real HTML:
written by LibreOffice from the .docx variants (rowspan and colspan as a word processor writes them),
and by hand as a county site serves them; each imports as its source does."""

from __future__ import annotations

import html
import re
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from click.testing import CliRunner

import variant_docs as V
from conftest import requires_soffice
from jixiao.cli import main
from jixiao.converters import import_any
from jixiao.converters.html_text import html_text

WILD = Path(__file__).parent / "data" / "wild"


def _rows(got):
    return [(p.name, p.initial_total, [(r.level1, r.level2, r.level3, r.target, r.actual, r.weight, r.score)
                                       for r in p.indicators]) for p in got.selfeval.projects]


@requires_soffice
def test_a_page_libreoffice_writes_from_a_word_form_imports_as_the_form(tmp_path):
    from jixiao.excel.office import convert

    doc = V.selfeval_national(tmp_path / "自评.docx")
    page = convert(doc, "html", tmp_path / "page")
    assert b"colspan" in page.read_bytes().lower()  # the merged 项目名称 value, as a browser gets it
    assert _rows(import_any(page)) == _rows(import_any(doc)) and len(_rows(import_any(doc))[0][2]) == 3


# a county site's 自评表: GBK, a 一级 spanning its rows, the value cells spanning columns, &nbsp; padding
SITE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县农业农村局2024年度项目支出绩效自评表</title><script>var tpl = "<table><tr><td>x</td></tr></table>";</script>
<style>td { border: 1px solid }</style></head><body><div class="nav">首页 &gt; 政务公开</div>
<h2>项目支出绩效自评表</h2><p>（2024年度）</p>
<table border="1" cellspacing="0">
<tr><td>项目名称</td><td colspan="7">高素质农民培训</td></tr>
<tr><td>主管部门</td><td colspan="3">某县农业农村局</td><td>实施单位</td><td colspan="3">某县农业技术推广中心</td></tr>
<tr><td rowspan="4">项目资金<br>（万元）</td><td>&nbsp;</td><td>年初预算数</td><td>全年预算数</td><td>全年执行数</td><td>分值</td><td>执行率</td><td>得分</td></tr>
<tr><td>年度资金总额：</td><td>120</td><td>120</td><td>108</td><td>10</td><td>90%</td><td>9</td></tr>
<tr><td>其中：本年财政拨款</td><td>100</td><td>100</td><td>90</td><td></td><td></td><td></td></tr>
<tr><td>其他资金</td><td>20</td><td>20</td><td>18</td><td></td><td></td><td></td></tr>
<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>年度指标值</td><td>实际完成值</td><td>分值</td><td>得分</td><td>偏差原因分析及改进措施</td></tr>
<tr><td rowspan="2">产出指标</td><td>数量指标</td><td>培训农户人次</td><td>≥500人次</td><td>480人次</td><td>25</td><td>24</td><td>部分农户未到</td></tr>
<tr><td>质量指标</td><td>培训合格率</td><td>≥95%</td><td>96%</td><td>25</td><td>25</td><td>&nbsp;</td></tr>
<tr><td>效益指标</td><td>社会效益指标</td><td>带动农户增收</td><td>明显</td><td>明显</td><td>30</td><td>30</td><td></td></tr>
<tr><td>满意度指标</td><td>服务对象满意度指标</td><td>参训农户满意度</td><td>≥90%</td><td>95%</td><td>10</td><td>10</td><td></td></tr>
</table><p>附件下载：</p></body></html>"""

EXPECTED = [("高素质农民培训", 120, [
    ("产出指标", "数量指标", "培训农户人次", "≥500人次", "480人次", 25, 24),
    ("产出指标", "质量指标", "培训合格率", "≥95%", "96%", 25, 25),
    ("效益指标", "社会效益指标", "带动农户增收", "明显", "明显", 30, 30),
    ("满意度指标", "服务对象满意度指标", "参训农户满意度", "≥90%", "95%", 10, 10)])]


def test_a_county_page_saved_in_gbk_imports(tmp_path):
    page = tmp_path / "自评表.html"
    page.write_bytes(SITE.encode("gbk"))
    got = import_any(page)
    assert _rows(got) == EXPECTED
    assert got.book.unit.year == 2024 and got.selfeval.projects[0].department == "某县农业农村局"
    text = html_text(page.read_bytes())
    assert "var tpl" not in text and "td { border" not in text  # scripts and styles are no content


def test_a_page_saved_as_one_file_imports_as_the_page(tmp_path):
    """Internet Explorer's and Word's 网页，单个文件 (.mht): the page as a quoted-printable MIME part."""
    message = MIMEMultipart("related")
    message["MIME-Version"] = "1.0"
    part = MIMEText(SITE, "html", "gb2312")
    message.attach(part)
    mht = tmp_path / "自评表.mht"
    mht.write_bytes(message.as_bytes())
    assert _rows(import_any(mht)) == EXPECTED


def test_an_excel_export_that_is_a_web_table_imports_as_one(tmp_path):
    exported = tmp_path / "导出.xls"
    exported.write_bytes(SITE.encode("gbk"))
    got = import_any(exported)
    assert _rows(got) == EXPECTED
    assert "内容其实是网页（HTML）表格" in got.unplaced[0] and got.unplaced[0].kind == "read"


@pytest.mark.parametrize("name", sorted(p.stem for p in WILD.glob("*.txt")))
def test_each_wild_document_as_a_web_page_imports_as_its_text(tmp_path, name):
    """The corpus's texts came from web pages: written back as one (a <p> a line, a <table> of <tr>s), each
    imports to the very same models and lists as the text."""
    out, rows = ['<html><head><meta charset="utf-8"></head><body>'], []
    for line in (WILD / f"{name}.txt").read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("|"):
            cells = line.strip().strip("|").split("|")
            rows.append("<tr>" + "".join(f"<td>{html.escape(c.strip()).replace('&lt;br&gt;', '<br>')}</td>"
                                         for c in cells) + "</tr>")
            continue
        if rows:
            out.append("<table border=1>" + "\n".join(rows) + "</table>")
            rows = []
        out.append(f"<p>{html.escape(line)}</p>")
    page = tmp_path / f"{name}.html"
    page.write_text("\n".join(out) + "</body></html>", encoding="utf-8")
    text, web = import_any(WILD / f"{name}.txt"), import_any(page)
    assert web.book == text.book and web.selfeval == text.selfeval
    # the same lines listed, the page's by where they are on it (第 3 段, 表 1 第 2 行), not by a line of
    # the text made from it
    where = r"(?:表 \d+ )?第 [\d、]+ (?:行|段)"
    assert [re.sub(where, "第 N 行", u) for u in web.unplaced] == [re.sub(where, "第 N 行", u) for u in text.unplaced]
    assert not [u for u in web.unplaced if re.search(r"(?<!\d )第 \d+ 行", u)], web.unplaced


def test_import_of_a_page_through_the_cli(tmp_path):
    page = tmp_path / "自评表.htm"
    page.write_bytes(SITE.encode("gbk"))
    result = CliRunner().invoke(main, ["import", str(page), "-o", str(tmp_path / "自评表.xlsx")])
    assert result.exit_code in (0, 1) and "已导入自评表" in result.output, result.output
    assert "意外错误" not in result.output


def test_a_page_laid_out_in_a_table_imports_its_form(tmp_path):
    """Many county sites frame the whole page in a layout table (navigation, the article, the footer, each a
    cell): the form is a table inside a cell. It imports as on its own; the frame's lines are lines, and the
    page's footer under the form is listed, not read as one more indicator row."""
    start, end = SITE.index("<body>") + 6, SITE.index("</body>")
    framed = (SITE[:start] + '<table width="100%"><tr><td class="nav">首页</td></tr><tr><td>' + SITE[start:end]
              + "</td></tr><tr><td>版权所有：某县人民政府</td></tr></table>" + SITE[end:])
    page = tmp_path / "自评表.html"
    page.write_bytes(framed.encode("gbk"))
    got = import_any(page)
    assert _rows(got) == EXPECTED and got.book.unit.year == 2024
    assert any("版权所有：某县人民政府" in u for u in got.unplaced)


@pytest.mark.parametrize("kind", ["text/html", "message/rfc822"])
def test_a_word_export_made_of_an_html_chunk_imports_the_page(tmp_path, kind):
    """Web systems export "Word" as a .docx whose body is an HTML part (w:altChunk): Word shows the form,
    python-docx sees no paragraph of it (and LibreOffice shows nothing: it does not support altChunk)."""
    if kind == "text/html":
        chunk = SITE.encode("gbk")
    else:
        message = MIMEMultipart("related")
        message.attach(MIMEText(SITE, "html", "gb2312"))
        chunk = message.as_bytes()
    doc = V.with_html_chunk(tmp_path / "导出.docx", chunk, kind)
    assert _rows(import_any(doc)) == EXPECTED


def test_a_word_doc_that_is_a_single_file_page_imports(tmp_path):
    """Web systems also write "Word" .doc files that are Word's 单个文件网页 (MIME, as html2doc makes them)."""
    message = MIMEMultipart("related")
    message["MIME-Version"] = "1.0"
    message.attach(MIMEText(SITE, "html", "gb2312"))
    exported = tmp_path / "导出.doc"
    exported.write_bytes(message.as_bytes())
    got = import_any(exported)
    assert _rows(got) == EXPECTED and "内容其实是网页" in got.unplaced[0]


@pytest.mark.parametrize("cut, text", [(b"<table><script>", ""), (b"<table><tr><td>a<style>", "| a |"),
                                       (b"<table><tr><td>a<td rowspan=5>b", "| a | b |")])
def test_a_page_cut_off_anywhere_keeps_what_was_read(cut, text):
    """A download cut off inside a <script> in a table never ended (found by the fuzz test)."""
    assert html_text(cut).strip() == text
