Attribute VB_Name = "JixiaoButtons"
' jixiao: the buttons in the unit workbook (Validate, Add project, Totals) call these Subs.
' Each Sub asks the xlwings add-in to run one jixiao.addin entry point in Python.
' The add-in is called late-bound (Application.Run), so a missing add-in gives a clear
' message instead of a compile error. This file is ASCII only: every message a clerk
' reads comes from Python, except the one below, shown when Python cannot be reached,
' which is spelled with ChrW so that the source stays ASCII.
Option Explicit

Private Function MissingAddinMessage() As String
    Dim s As String
    s = ChrW(&H672A) & ChrW(&H627E) & ChrW(&H5230) & " xlwings " & ChrW(&H52A0) & ChrW(&H8F7D) & ChrW(&H9879) & ChrW(&H6216)
    s = s & " Python" & ChrW(&H3002) & ChrW(&H8BF7) & ChrW(&H6309) & " jixiao " & ChrW(&H7684) & " README " & ChrW(&H5B89)
    s = s & ChrW(&H88C5) & ChrW(&HFF1A) & "pip install jixiao" & ChrW(&HFF0C) & ChrW(&H7136) & ChrW(&H540E) & " xlwings addin install" & ChrW(&H3002)
    MissingAddinMessage = s
End Function

Private Sub RunJixiao(ByVal entry As String)
    On Error GoTo Missing
    Application.Run "'xlwings.xlam'!RunPython", "import jixiao.addin as jx; jx." & entry & "()"
    Exit Sub
Missing:
    MsgBox MissingAddinMessage(), vbExclamation, "jixiao"
End Sub

Public Sub JixiaoValidate()
    RunJixiao "validate"
End Sub

Public Sub JixiaoClearMarks()
    RunJixiao "clear_marks"
End Sub

Public Sub JixiaoAddProject()
    RunJixiao "add_project"
End Sub

Public Sub JixiaoRefreshTotals()
    RunJixiao "refresh_totals"
End Sub

Public Sub JixiaoConsolidateFolder()
    RunJixiao "consolidate_folder"
End Sub

Public Sub JixiaoExportDocx()
    RunJixiao "export_docx"
End Sub
