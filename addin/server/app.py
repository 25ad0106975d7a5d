"""The jixiao xlwings server: the add-in's scripts over HTTP, in xlwings Server's protocol.

Excel (the xlwings Office.js add-in or the xlwings VBA client) posts the
workbook as JSON to ``/xlwings/custom-scripts-call/{script}``; the script runs
on ``xw.Book(json=payload)`` and the recorded actions go back for the client to
apply. The scripts are the very functions the desktop buttons run.

Run it with::

    XLWINGS_LICENSE_KEY=noncommercial uvicorn jixiao.addin.server.app:app --port 8000

xlwings' server parts are under the PolyForm Noncommercial licence, which
counts government institutions as noncommercial users.
"""

from __future__ import annotations

import os
from typing import Any

import xlwings as xw
from fastapi import Body, FastAPI, HTTPException

from ... import addin
from ...errors import JixiaoError

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

SCRIPTS = {name: getattr(addin, name) for name in
           ("validate", "clear_marks", "refresh_totals", "add_project", "export_docx")}

app = FastAPI(title="jixiao 绩效 xlwings server")


@app.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True, "scripts": sorted(SCRIPTS)}


@app.post("/xlwings/custom-scripts-call/{script}")
def call_script(script: str, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Run one jixiao script on the posted book and return the actions for Excel."""
    if script not in SCRIPTS:
        raise HTTPException(404, f"没有名为 {script} 的脚本")
    book = xw.Book(json=payload)
    try:
        SCRIPTS[script](book)
    except JixiaoError as exc:
        book.app.alert(str(exc), title="jixiao 绩效")
    return book.json()
