Attribute VB_Name = "ProdbookRibbon"
' prodbook's ribbon callback. Every button of the prodbook tab calls ProdbookAction;
' the pressed button's id says which action to run (prodbook.excel.ribbon.ACTIONS).
' Source of truth: src/prodbook/excel/addin_files/ProdbookRibbon.bas, built into prodbook.xlam by
' `prodbook addin build`. The VBA project is named prodbookAddin: no module or procedure may share
' a name with it or with each other (VBA names are case-insensitive).
Option Explicit

Private Const CONF_SHEET As String = "prodbook.conf"

Sub ProdbookAction(control As IRibbonControl)
    Dim setup As String
    ' A VBA error (xlwings could not start Python, Excel was busy...) is a plain message, never the Debug
    ' dialog.
    On Error GoTo failed
    setup = ProdbookNotInstalled()
    If Len(setup) > 0 Then
        MsgBox setup, vbExclamation, "prodbook"
        Exit Sub
    End If
    ' Python takes a few seconds to start and Excel is busy meanwhile: say so at once. Python then shows each
    ' step here and a message box with what it did; the bar is cleared after, whatever happened.
    Application.StatusBar = "prodbook is working (starting Python)..."
    ' No workbook in front: none open, or the one in front is in Protected View (Excel's ActiveWorkbook is
    ' then Nothing, and xlwings would stop on it with a VBA error).
    If ActiveWorkbook Is Nothing Then
        Application.StatusBar = False
        MsgBox ProdbookNoWorkbook(), vbExclamation, "prodbook"
        Exit Sub
    End If
    RunPython "import prodbook.excel.ribbon as r; r.run('" & control.Id & "')"
    Application.StatusBar = False
    Exit Sub
failed:
    Application.StatusBar = False
    MsgBox ProdbookFailed(Err.Description), vbExclamation, "prodbook"
End Sub

' What a button says when VBA itself stopped on an error (Python could not be started, Excel was busy).
Function ProdbookFailed(why As String) As String
    ProdbookFailed = "prodbook could not run this button (Excel said: " & why & "). Press the button " & _
        "again; if this comes back, close Excel, run  prodbook addin install  in a command prompt, and " & _
        "start Excel again."
End Function

' Empty when this copy of the add-in knows which Python runs prodbook (written by
' `prodbook addin install`); else the message to show. A copy of the build output opened by hand
' has no interpreter and would fail with a missing-DLL error without this.
Function ProdbookNotInstalled() As String
    Dim key As String
    Dim sht As Worksheet
    Dim r As Long
    #If Mac Then
        key = "Interpreter_Mac"
    #Else
        key = "Interpreter_Win"
    #End If
    On Error GoTo notSetUp
    Set sht = ThisWorkbook.Worksheets(CONF_SHEET)
    For r = 1 To 50
        If CStr(sht.Cells(r, 1).Value) = key Then
            If Len(Trim(CStr(sht.Cells(r, 2).Value))) > 0 Then Exit Function
            Exit For
        End If
    Next r
notSetUp:
    ProdbookNotInstalled = "This copy of prodbook.xlam is not installed (no Python is set for it: " & key & _
        " is blank on its " & CONF_SHEET & " sheet). Close Excel, run  prodbook addin install  in a " & _
        "command prompt, and start Excel again."
End Function

' What a button says when no workbook is in front to run on.
Function ProdbookNoWorkbook() As String
    ProdbookNoWorkbook = "No workbook is in front for prodbook to work on. Open your tracker; if it shows a " & _
        "yellow Protected View bar, click Enable Editing; then press the button again."
End Function
