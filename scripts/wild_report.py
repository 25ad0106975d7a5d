"""Import every document of tests/data/wild and write docs/import-coverage.md (issue 16).

    python scripts/wild_report.py            # writes docs/import-coverage.md, prints the totals
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from wild_compare import compare, documents  # noqa: E402


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "—"


def main() -> int:
    results = [compare(p) for p in documents()]
    lines = ["# Import coverage of the wild corpus", "",
             "Written by `python scripts/wild_report.py` from `tests/data/wild/` (truth written by hand; "
             "comparison rules in `tests/wild_compare.py`). A project is right when name, code and budget "
             "(exactly, in 万元) match; an indicator row when name and value match; a 年度目标 when its text matches. The 中期 (实施期) part of "
             "two-period forms is counted apart: its indicator rows (name and value), its amount and its goal, against "
             "the project's 中期 fields (a document with one imports into the national 申报表).", "",
             "| document | projects right / wrong / missing | indicators right / wrong / missing | extra rows | "
             "年度目标 right / of | 中期 right / of | 自评 rows right / of | unplaced lines |", "|---|---|---|---|---|---|---|---|"]
    tot = {k: 0 for k in ("pr", "pw", "pm", "ir", "iw", "im", "ex", "gr", "gn", "mr", "mn", "sr", "sn")}
    for r in results:
        row = (r.count("projects", "right"), r.count("projects", "wrong"), r.count("projects", "missing"),
               r.count("indicators", "right"), r.count("indicators", "wrong"), r.count("indicators", "missing"),
               len(r.extra_indicators), r.count("goals", "right"), len(r.goals), r.count("mid", "right"), len(r.mid),
               r.count("selfeval", "right"), len(r.selfeval))
        for k, v in zip(tot, row):
            tot[k] += v
        name = f"`{r.name}`" + (" **rejected**" if r.rejected else "")
        lines.append(f"| {name} | {row[0]} / {row[1]} / {row[2]} | {row[3]} / {row[4]} / {row[5]} | {row[6]} | "
                     f"{row[7]} / {row[8]} | {row[9]} / {row[10]} | {row[11]} / {row[12]} | {r.unplaced} |")
    np_, ni = tot["pr"] + tot["pw"] + tot["pm"], tot["ir"] + tot["iw"] + tot["im"]
    lines += [f"| **total ({len(results)} documents)** | {tot['pr']} / {tot['pw']} / {tot['pm']} | "
              f"{tot['ir']} / {tot['iw']} / {tot['im']} | {tot['ex']} | {tot['gr']} / {tot['gn']} | {tot['mr']} / {tot['mn']} | "
              f"{tot['sr']} / {tot['sn']} | |",
              "", f"Projects right: **{pct(tot['pr'], np_)}** ({tot['pr']} of {np_}); indicator rows right: "
              f"**{pct(tot['ir'], ni)}** ({tot['ir']} of {ni}); 年度目标 right: {pct(tot['gr'], tot['gn'])} "
              f"({tot['gr']} of {tot['gn']}); 中期 rows, amounts and goals right: "
              f"{pct(tot['mr'], tot['mn'])} ({tot['mr']} of {tot['mn']}); self-evaluation rows right: "
              f"{pct(tot['sr'], tot['sn'])}; documents rejected whole: {sum(1 for r in results if r.rejected)}.",
              "", "## What is wrong or missing", ""]
    for r in results:
        bad = [(n, s, d) for what in ("projects", "indicators", "goals", "mid", "selfeval") for n, s, d in getattr(r, what)
               if s != "right"]
        if r.rejected:
            lines.append(f"- `{r.name}`: rejected — {r.rejected}")
        for n, s, d in bad:
            lines.append(f"- `{r.name}`: {n} — {s}{('：' + d) if d else ''}")
        if r.extra_indicators:
            lines.append(f"- `{r.name}`: extra rows (not in the truth): {', '.join(r.extra_indicators)}")
    out = ROOT / "docs" / "import-coverage.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[6:7 + len(results) + 3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
