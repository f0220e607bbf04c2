Attribute VB_Name = "Prodbook"
' prodbook ribbon callback. Every button of the prodbook tab calls this one Sub;
' the pressed button's id says which action to run (prodbook.excel.ribbon.ACTIONS).
' Source of truth: addin/Prodbook.bas, built into prodbook.xlam by `prodbook addin build`.
Option Explicit

Sub ProdbookAction(control As IRibbonControl)
    RunPython "import prodbook.ribbon as r; r.run('" & control.Id & "')"
End Sub
