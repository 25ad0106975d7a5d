"""The rows of an indicator table (一级 | 二级 | 三级 | 指标值 …), read by what each column accepts.

Called by :class:`.recognise.Reader` once it has read a table's header. A cell goes to the first column
from the current position that accepts it (a 一级 name, an operator, a number, free text), so merged
cells that a web page or a PDF dropped do not shift the others; a 一级/二级 cell starts a new row, and
merged 一级/二级 cells are carried down afterwards. A list of projects with indicator rows (Sichuan)
becomes one form per project (:func:`list_form`); its 合计 is checked by :mod:`.projectlist`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from ..forms.taxonomy import level1_of_level2, normalize_level1, normalize_level2
from ..forms.values import KNOWN_UNITS, nfkc, parse_decimal, squeeze
from . import dropped, projectlist
from . import labels as L
from .cellkinds import NUMBERISH, OPERATOR, VALUEISH, accepts, accepts_none_between, hits_of, levels, name_like
from .readings import split_code
from .shapes import Cell, unglue

# a blank form's placeholder row: “……”, the numbering alone (“指标2:”), or a “/” for none (“指标1:/”)
PLACEHOLDER = re.compile(r"[.…·]{2,}|…|指标\s*\d{1,2}\s*[:：]\s*[/／]?")
PROJECT_COLUMNS = ("unit_name", "name", "budget", "fiscal", "other", "goals")  # project fields that occur as list columns


def read(reader, cols: list[str], groups: list[int], i: int, period: str,
         places: dict[int, str] | None = None) -> int:
    """The rows of an indicator table from cell ``i`` (its header read into ``cols``/``groups``) to the
    table's end; returns the index after it. ``places``: the columns of a project list, for its 合计."""
    form = reader.current()
    listed = bool(cols) and cols[0] == "unit_name" or "name" in cols  # a list: one project a row
    split_value = "value_type" in cols or "measure_unit" in cols
    model_group = max(groups) if groups else 1
    rows: list[dict] = []
    row: dict = {}
    pos = 0

    def flush():
        nonlocal row, pos
        if set(row) == {"level1_points"}:
            pos = 0  # a lost 一级's points only (“(50分)”): they go with the row that follows
            return
        if row:
            rows.append(row)
        row, pos = {}, 0

    def put(j: int, text: str, cell: Cell) -> None:
        nonlocal pos
        key = cols[j] if groups[j] in (0, model_group) else f"{cols[j]}@{groups[j]}"
        row[key] = text
        row.setdefault("_cols", set()).add(cols[j])
        row.setdefault("line", cell.line)
        row.setdefault("cells", []).append(cell)
        pos = j + 1

    def has(col: str) -> bool:
        return col in row.get("_cols", ())

    def index_of(col: str, start: int = 0) -> int | None:
        return next((j for j in range(start, len(cols)) if cols[j] == col), None)

    def wrapped_on(cells: int) -> bool:
        """Whether a line of ``cells`` cells fits the columns left of a 自评表 row that has its 三级 and not yet
        its 分值 or 得分."""
        if not has("level3") or has("weight") or has("score") or "score" not in cols:
            return False
        left = [k for k in range(pos, len(cols)) if cols[k] not in ("level1", "level2", "level3")]
        return 0 < cells <= len(left)

    def complete() -> bool:
        """Whether the row so far has something right of its 三级 (or is none yet)."""
        k = index_of("level3")
        return not row or k is not None and any(has(col) for col in cols[k + 1:])

    starts = tuple(L.data().get("values", {}).get("basis_starts", ())) if "basis" in cols else ()
    if "level3" not in cols and "level2" in cols and "level1" in cols:
        first = next((x for x in reader.cells[i:i + 3] if x.text), None)
        if first is not None and levels(first.text)[0] == {"level2"}:
            # 鄂州: the column headed 一级 holds the 二级 names and the one headed 二级 the indicators
            cols = ["level2" if c == "level1" else "level3" if c == "level2" else c for c in cols]
    line_counts: dict[int, int] = {}
    for c in reader.cells[i:]:
        if c.text:
            line_counts[c.row] = line_counts.get(c.row, 0) + 1
    prev_row = None
    run_together = False  # a cell of this table was cut from text with no separators
    # a table of pipe rows (a Word, Excel or web page table) ends at the first line that is none: the page's
    # own lines under it (附件下载, 版权所有) are no row of it
    ruled = i > 0 and reader.cells[i - 1].tabled
    # its header a row of several cells (not a form written one cell a line): a row is a line
    rowed = ruled and sum(1 for x in reader.cells[max(0, i - 30):i] if x.row == reader.cells[i - 1].row and x.text) >= 2
    while i < len(reader.cells):
        c = reader.cells[i]
        if reader.stop(c) or ruled and c.text and not c.tabled and c.row != prev_row:
            break
        if rowed and c.text and c.row != prev_row and line_counts.get(c.row) == 1 and cols[:1] in (["level1"], ["level2"]) \
                and reader.cells[i - 1].row != c.row and not levels(c.text)[0] and complete():
            # a sheet's note under its table (审核意见盖章处, 附件：…): after a whole row, a row whose one filled
            # cell is under 一级 and is no 一级 name is no row of it (the next such row became its 指标值); a
            # row that still wants its values goes on in it (永德's wrapped | 有效 |)
            break
        t = c.text.strip()
        if not t:
            if row and pos < len(cols):
                pos += 1
            i += 1
            continue
        if L.norm(t).lstrip(".…") in {L.norm(x) for x in L.data()["furniture"]["totals"]}:
            flush()
            c.used = True
            if listed and places:  # the list's 合计: its money checked against the projects' sum
                i = projectlist.total_row(reader, c, places, sum(1 for r in rows if r.get("name")))
                break
            i += 1
            nums = []
            while i < len(reader.cells) and (NUMBERISH.match(reader.cells[i].text.strip())
                                           or not reader.cells[i].text) and len(nums) < 3:
                nums.append(reader.cells[i].text.strip())
                reader.cells[i].used = True
                i += 1
            form.totals = {"weight": nums[0] if nums else None, "score": nums[1] if len(nums) > 1 else None}
            break  # 合计 / 总分 ends the table
        if hits_of(c) and reader.is_header(reader.label_run(i)):
            break  # the next table
        if any(h.group == "furniture" and h.field == "block" for h in hits_of(c)):
            c.used = True  # 绩效指标 again (a page break repeats it): not a row
            i += 1
            continue
        if re.fullmatch(r"[(（]?\d+(?:\s*-\s*\d+)?[)）]?\s*分[)）]?", t):  # "(40-50)分" / "(50分)" under its 一级
            if not has("level1") and not row.get("level1_points"):
                flush()  # the 一级's points, its name lost (天长's vertical text): told by the 二级 below
            if not row.get("level1_points"):
                row["level1_points"] = re.sub(r"[^\d\-]", "", t)
            c.used = True
            i += 1
            continue
        if PLACEHOLDER.fullmatch(nfkc(t)):
            # the blank form's rows left as printed (“指标2:”, “……”) and “指标1:/ / /” (none): not rows
            c.used = True
            i += 1
            while re.fullmatch(r"[/／]", t.rsplit(":", 1)[-1].strip()) and i < len(reader.cells) \
                    and reader.cells[i].row == c.row and re.fullmatch(r"[/／]?", reader.cells[i].text.strip()):
                reader.cells[i].used = True
                i += 1
            continue
        run_together = run_together or c.glued
        # a line of run-together text with no label to cut it at (青山 2021: “学校满意度≥90%” under the row
        # above) is as glued as the lines that had one
        glued = c.glued or (run_together and line_counts.get(c.row) == 1 and not c.tabled)
        pieces = unglue(t, starts) if glued and not levels(t)[0] else [t]
        if glued:
            pieces = [part for piece in pieces for part in worded_value(piece)]
        positional = 2 <= line_counts.get(c.row, 0) <= len(cols) + 1 and not c.glued
        if form.kind == "selfeval" and c.row != prev_row and not c.glued and wrapped_on(line_counts.get(c.row, 0)) \
                and not levels(t)[0]:
            # the rest of a 自评表 row its cells wrapped onto lines of their own (永德: 减轻贫困学生家庭经济负担 |,
            # then 有效 |, then 有效 | 10 | 10 |): a row has its 分值 and 得分, a line without them goes on it
            positional = False
        elif form.kind == "selfeval" and c.row != prev_row and line_counts.get(c.row) == 1 and has("level3") \
                and name_like(t) and not levels(t)[0]:
            # a 自评表 row still to be filled: only its 三级指标 (网上信访事项办结率), not the 偏差原因
            # of the row above
            flush()
            pos = index_of("level3")
        if positional and c.row != prev_row:
            flush()
            pos = anchor(reader, i, cols)
        for n, piece in enumerate(pieces):
            following = pieces[n + 1] if n + 1 < len(pieces) else ""
            if c.glued and PLACEHOLDER.fullmatch(nfkc(piece)):
                flush()  # 中江's “……” placeholder row, run together with the rows around it
                continue
            wk = index_of("weight", pos)
            if c.glued and wk is not None and cols[wk + 1:wk + 2] == ["score"] and not has("weight") \
                    and re.fullmatch(r"\d{2,}", piece) and accepts_none_between(cols, pos, wk, piece) \
                    and not re.fullmatch(r"[\d.%]+", following):
                # 权重 and 得分 run together ("1010"): read only when they are the same number
                half = len(piece) // 2
                if len(piece) % 2 == 0 and piece[:half] == piece[half:]:
                    put(cols.index("weight", pos), piece[:half], c)
                    put(cols.index("score", pos), piece[half:], c)
                continue
            lv, name, points = levels(piece)
            j1, j2 = index_of("level1"), index_of("level2")
            if lv and squeeze(piece) in ("成本指标",) and lv == {"level1", "level2"}:
                nxt = reader.cells[i + 1].text if i + 1 < len(reader.cells) else ""
                lv = {"level1"} if points or ("level2" in levels(nxt)[0] and "level1" not in levels(nxt)[0]) \
                    else {"level2"}
            if "level1" in lv and has("level1") and not has("level2") and "level2" in cols \
                    and not has("level3"):
                lv = {"level2"}  # 满意度指标 | 满意度指标: the 二级 of the same name
            if "level1" in lv and j1 is not None and not (lv == {"level1", "level2"} and has("level1")):
                if has("level1") or has("level2") or has("level3"):
                    flush()
                put(j1, name, c)
                if points:
                    row["level1_points"] = points
                continue
            if lv and j2 is not None:
                later = index_of("level2", pos)
                if later is not None and later != j2 and (has("level3") and later > index_of("level3")
                                                          or has("level2") and not has("level3")):
                    put(later, name, c)  # the next period's 二级 on the same row (青山: the 长期 cells blank)
                    continue
                if has("level3") or has("level2"):
                    flush()
                put(j2, name, c)
                continue
            if not piece:
                continue
            serial = row.get("_serial")
            if serial is not None and piece == serial and has("value_text") and not has("measure_unit") \
                    and index_of("measure_unit", pos) is not None:
                put(index_of("measure_unit", pos), "", c)  # the same date again, in the 计量单位 column
                continue
            date = date_of_serial(piece) if not has("value_text") and "时效" in (
                row.get("level2") or (rows[-1].get("level2") if rows else None) or "") else None
            if date is not None and index_of("value_text", pos) is not None:
                row["_serial"] = piece
                reader.doc.readings.append((c.line, f"第 {c.line} 行“{row.get('level3') or ''}”的指标值 {piece} 是"
                                                    f"日期在 Excel 中的序号，已按 {date} 导入，请核对原文"))
                put(index_of("value_text", pos), date, c)
                continue
            vt = index_of("value_type")
            if vt is not None and vt < pos and not has("value_type") and OPERATOR.match(nfkc(piece).strip()):
                # an operator after the column that holds it: 乌海's 指标性质 holds 正向 / 反向 and its
                # 指标方向 the operator, so the operator comes after 正向 went past 指标性质
                keep = pos
                put(vt, piece, c)
                pos = keep
                continue
            vt = row.get("value_text") or next((v for k, v in row.items() if str(k).startswith("value_text@")), None)
            worded = bool(vt) and not NUMBERISH.match(nfkc(vt).strip())
            j = next((k for k in range(pos, len(cols))
                      if cols[k] and cols[k] not in ("level1", "level2")
                      and not (cols[k] == "measure_unit" and worded and nfkc(piece).strip() not in KNOWN_UNITS)
                      and accepts(cols[k], piece, split_value, positional, c.glued)), None)  # 有效 has no unit
            if (j is None or (cols[j] != "level3" and name_like(piece) and has("level3")
                              and (has("value_text") or has("value_type"))
                              and cols[j] == "value_text" and not positional)) \
                    and name_like(piece):
                flush()
                j = index_of("level3")
            if j is None:
                continue  # nowhere to put it: left for the unplaced list
            if c.glued and cols[j] == "level3" and cols[j + 1:j + 2] == ["measure_unit"] \
                    and VALUEISH.match(following):
                unit = next((u for u in sorted(KNOWN_UNITS, key=len, reverse=True)
                             if piece.endswith(u) and len(piece) - len(u) >= 4), None)
                if unit:  # 党性教育培训次数次: the name and its 计量单位 run together
                    put(j, piece[:-len(unit)], c)
                    put(j + 1, unit, c)
                    continue
            put(j, piece, c)
        c.used = True
        prev_row = c.row
        i += 1
    flush()
    other: list[dict] = []
    for r in rows:
        mid = {k.split("@")[0]: v for k, v in r.items() if "@" in k}
        if mid:
            mid.update(line=r.get("line"), cells=[], level1=r.get("level1"), level1_points=r.get("level1_points"))
            other.append(mid)
    # carry merged cells down, in order; a 一级 the text lost is the one its 二级 belongs to
    last = {"level1": None, "level2": None, "level1_points": None}
    inferred: list[dict] = []  # rows whose 一级 was told by their 二级
    told_by: dict | None = None  # the row whose 二级 told the 一级 carried down, None for a printed one
    for r in rows:
        owner = level1_of_level2(r.get("level2")) if not r.get("level1") and r.get("level2") else None
        carried = normalize_level1(last["level1"]).name
        if owner and "level1" in cols and (last["level1"] is None or carried is not None and normalize_level2(
                carried, r["level2"]).name is None):
            r["level1"] = owner
            inferred.append(r)
            told_by = r
        elif r.get("level1"):
            told_by = None
        r["_told_by"] = id(told_by) if told_by is not None else None
        if r.get("level1"):
            if r["level1"] != last["level1"]:
                last["level2"] = None
            last["level1"] = r["level1"]
            last["level1_points"] = r.get("level1_points")
        else:
            r["level1"] = last["level1"]
        if r.get("level2"):
            last["level2"] = r["level2"]
        else:
            r["level2"] = last["level2"]
        r["period"] = period
    last = {"level1": None, "level2": None}
    for r in other:
        for k in ("level1", "level2"):
            r[k] = r.get(k) or last[k]
            last[k] = r[k]
        r["period"] = "中期"
    form.other_periods.extend(r for r in other if r.get("level3") and r.get("value_text"))
    if form.kind == "selfeval":
        scores_only(reader, rows, cols)
        weight_glued(reader, rows, cols)
    # a 自评表 keeps a row still to be filled (a 三级指标 only): dropped, the rows left were all scored
    # and the imported 自评表 graded (部门整体 “等级 差”) where the printed one said 未完成评分. Not a
    # name cut off after its label (金寨's last row, “指标1:”): that is a fragment, not a row
    selfeval = reader.current().kind == "selfeval"
    dropped.report_rows(reader, rows)
    for r in rows:  # 分值 / 得分 are at most 100: “2010010020” is 20 | 100 | 100 | 20 run together, not guessed apart
        for key, label in (("weight", "分值"), ("score", "得分")):
            number = parse_decimal(r.get(key))
            if number is not None and number > 100:
                if r.get("level3"):  # a row without a name (井研's 部门 subtotal, 8,827,620.53) is listed by its line
                    reader.doc.refused.append((r.get("line"), f"第 {r.get('line')} 行“{r['level3']}”的{label}"
                                                              f"“{r[key]}”超过 100，像是几栏数字连在一起，未导入，请核对原文"))
                del r[key]
    keep = [r for r in rows if r.get("level3") and (r.get("value_text") or r.get("value_type") or (
        selfeval and not nfkc(r["level3"]).strip().endswith(":") and (
            r.get("weight") or r.get("score") or not any(cell.glued for cell in r.get("cells", [])))))]
    # (in run-together text a 三级 alone is a guess: 银川's OCR'd header “考值参分” came out as a row to fill)
    told = [r for r in inferred if any(k["_told_by"] == id(r) for k in keep)]
    if told:
        at = "、".join(f"第 {r.get('line')} 行“{r['level2']}”→“{r['level1']}”" for r in told)
        reader.doc.readings.append((told[0].get("line"), f"一级指标未印出，按二级指标补上：{at}，请核对原文"))
    for r in rows:
        if r not in keep:
            for cell in r.get("cells", []):
                if not (levels(cell.text)[0] and not r.get("level3")) and not cell.glued:
                    cell.used = False  # a row without a name or a value: listed, not guessed
            if r.get("level3") and any(cell.glued for cell in r.get("cells", [])):
                # run-together text: its line is placed (the 一级 / 二级 were read), so it is not listed
                # by line; 青山's “义务教育优质均衡发展情况稳步提高” (name and value, both words) was lost unsaid
                reader.doc.refused.append((r.get("line"), f"第 {r.get('line')} 行的指标“{r['level3'][:24]}”没有读出"
                                                          "指标值，未导入，请核对原文"))
    if listed:
        return list_form(reader, keep, i)
    if period != L.data()["periods"]["model"]:
        form.other_periods.extend(keep)
    else:
        form.indicators.extend(keep)
    return i


def worded_value(piece: str) -> list[str]:
    """A name with a qualitative value glued to it (``成本控制率不超预算``, and the next row's name after it:
    ``…不超预算水电气消耗下降率``) as its parts; else the piece."""
    if re.search(r"\d", piece) or levels(piece)[0]:
        return [piece]
    for word in sorted(L.data().get("values", {}).get("qualitative", ()), key=len, reverse=True):
        k = piece.find(word, 3)
        if k >= 3 and name_like(piece[:k]):
            rest = piece[k + len(word):]
            return [piece[:k], word, *([rest] if rest else [])]
    return [piece]


_NUMBER = r"(?:0|[1-9]\d*)(?:\.\d+)?"


def weight_glued(reader, rows: list[dict], cols: list[str]) -> None:
    """中江's 自评表 prints 分值 before the target, run together: ``20100%100%20`` is 20 | 100% | 100% | 20, and
    was read one column off (分值 “20100%”, the actual value as the target, the 得分 as the actual value).
    Taken apart when the 分值 cuts one way only (:func:`weight_then_value`) into one no less than the 得分."""
    k = cols.index("weight") if "weight" in cols else -1
    if k < 0 or cols[k + 1:k + 4] != ["value_text", "actual", "score"]:
        return
    for r in rows:
        last = parse_decimal(r.get("actual"))
        glued = any(c.glued for c in r.get("cells", []))
        cut = weight_then_value(r.get("weight") or "") if glued and not r.get("score") else None
        if cut and last is not None and Decimal(cut[0]) >= last:
            reader.doc.readings.append((r.get("line"), f"第 {r.get('line')} 行“{r.get('level3') or ''}”的分值与年度指标值"
                                                       f"连在一起（{r['weight']}），已按 {cut[0]} | {cut[1]} 导入，请核对原文"))
            r["weight"], r["value_text"], r["actual"], r["score"] = cut[0], cut[1], r.get("value_text"), r["actual"]


def weight_then_value(text: str) -> tuple[str, str] | None:
    """A 分值 and the 指标值 after it run together (``20100%``, ``1020万元``), cut where only one cut gives a
    分值 of at most 100 and a number (no leading zero) with its unit: ``20`` | ``100%``; ``595%`` (5 | 95%
    or 59 | 5%) is not cut."""
    t = nfkc(text).strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(%|[\u4e00-\u9fff]{1,3})", t)
    if m is None:
        return None
    digits, unit = m.groups()
    cuts = [(digits[:k], digits[k:]) for k in range(1, len(digits))
            if re.fullmatch(_NUMBER, digits[:k]) and re.fullmatch(_NUMBER, digits[k:]) and "." not in digits[:k]
            and 0 < int(digits[:k]) <= 100]
    return (cuts[0][0], cuts[0][1] + unit) if len(cuts) == 1 else None


def scores_only(reader, rows: list[dict], cols: list[str]) -> None:
    """自评表 rows of spaced text with two numbers only (天长: ``指标1:工程质量合格 10 10``) beside rows with
    all four: 年度指标值 and 实际完成值 were left empty, the two are 分值 and 得分 (which the others have)."""
    if not {"weight", "score"} <= set(cols) or not any(r.get("weight") and r.get("score") for r in rows):
        return
    moved = []
    weights = [w for w in (parse_decimal(r.get("weight")) for r in rows) if w is not None]
    top = max(weights, default=Decimal(100))  # no 分值 above the others' (“合格率 100 95” is a target and a value)
    for r in rows:
        a, b = parse_decimal(r.get("value_text")), parse_decimal(r.get("actual"))
        filled = {k for k in ("value_type", "weight", "score", "measure_unit") if r.get(k)}
        if not filled and a is not None and b is not None and b <= a <= top \
                and all(c.spaced for c in r.get("cells", [])):
            r["weight"], r["score"] = r.pop("value_text"), r.pop("actual")
            moved.append(r.get("line"))
    if moved:
        at = "、".join(str(line) for line in moved)
        reader.doc.readings.append((moved[0], f"第 {at} 行各只有两个数，已按分值、得分导入（年度指标值、实际完成值"
                                              "空着），请核对原文"))


_SERIAL = re.compile(r"(\d{2}),?(\d{3})")


def date_of_serial(text: str) -> str | None:
    """A date cell exported as its serial number (``44,561``, Excel counts days from 1899-12-30) in a
    时效指标's value, as the date it is (2021年12月31日); 2000 to 2049 only, else ``None``."""
    m = _SERIAL.fullmatch(text.strip())
    if m is None or not 36526 <= int(m.group(1) + m.group(2)) <= 54788:
        return None
    day = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(m.group(1) + m.group(2)))
    return f"{day.year}年{day.month}月{day.day}日"


def anchor(reader, i: int, cols: list[str]) -> int:
    """Where a row of one line starts among the columns: a web page packs the cells of a row to the
    left when merged cells above were dropped, so the first 一级/二级 name tells the offset."""
    row = reader.cells[i].row
    k = 0
    while i + k < len(reader.cells) and reader.cells[i + k].row == row:
        lv = levels(reader.cells[i + k].text)[0]
        col = "level1" if "level1" in lv else "level2" if lv else None
        if col in cols:
            return max(0, cols.index(col) - k)
        k += 1
    return cols.index("level3") if "level3" in cols else 0

def list_form(reader, rows: list[dict], i: int) -> int:
    """A table with one line per indicator and the project's fields on its first line (Sichuan)."""
    form = reader.current()
    for r in rows:
        if r.get("unit_name"):
            code, name = split_code(r["unit_name"])
            if r.get("name") or not r.get("budget"):
                form.unit_name, form.unit_code = name, code
                reader.doc.unit_name = reader.doc.unit_name or name
                reader.doc.unit_code = reader.doc.unit_code or code
        if r.get("name"):
            if form.fields.get("name") or form.indicators:
                form = reader.new_form(r["line"])
            form.fields.update({k: r[k] for k in PROJECT_COLUMNS[1:] if r.get(k)})
        form.indicators.append(r)
    return i
