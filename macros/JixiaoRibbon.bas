Attribute VB_Name = "JixiaoRibbon"
' Callbacks of the jixiao ribbon tab (addin/ribbon/customUI14.xml). They act on the
' active workbook, not on the add-in itself, so they pass it to Python explicitly.
' ASCII only, like JixiaoButtons.
Option Explicit

Private Sub RunOnActive(ByVal entry As String)
    On Error GoTo Missing
    Application.Run "'xlwings.xlam'!RunPython", _
        "import jixiao.addin as jx, xlwings as xw; jx." & entry & "(xw.books.active)"
    Exit Sub
Missing:
    MsgBox "xlwings add-in / Python not found. See the jixiao README.", vbExclamation, "jixiao"
End Sub

Public Sub OnValidate(ByVal control As Object)
    RunOnActive "validate"
End Sub

Public Sub OnClearMarks(ByVal control As Object)
    RunOnActive "clear_marks"
End Sub

Public Sub OnAddProject(ByVal control As Object)
    RunOnActive "add_project"
End Sub

Public Sub OnRefreshTotals(ByVal control As Object)
    RunOnActive "refresh_totals"
End Sub

Public Sub OnConsolidateFolder(ByVal control As Object)
    RunOnActive "consolidate_folder"
End Sub
