"""A small in-memory stand-in for the parts of xlwings' Book that XlBook uses.

It lets the live back end's own code (reads, block writes, Table fitting,
status bar) run on Linux. It records every range write so tests can check
that only changed blocks are written. It is no Excel: no formulas are
calculated, and COM's conversions are not reproduced beyond "a text starting
with '=' is a formula, a leading apostrophe is dropped".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils import get_column_letter, range_boundaries


class FakeApp:
    def __init__(self) -> None:
        self.screen_updating = True
        self.calculation = "automatic"
        self.status_bar: Any = False
        self.status_history: list[Any] = []
        self.alerts: list[tuple[str, str]] = []
        self.active_cell = (1, 1)
        """The selected cell (row, column) of the window in front: where Excel reads a colour rule's formula
        from (``_FormatCondition``)."""
        self.mac = False
        self.full_calculations: list[str] = []
        """``Application.CalculateFull`` (Ctrl+Alt+F9) calls, each as the calculation mode it was made in."""

    @property
    def api(self) -> Any:
        """Excel's Application: its ``ActiveCell``; a Mac's answers to no COM name (``AppleScript``)."""
        cell = _Where(*self.active_cell)
        com = type("Application", (), {"ActiveCell": cell, "CalculateFull": staticmethod(
            lambda: self.full_calculations.append(self.calculation))})()
        return AppleScript(com) if self.mac else com

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "status_bar" and "status_history" in self.__dict__:
            self.status_history.append(value)
        object.__setattr__(self, name, value)

    def alert(self, prompt: str, title: str = "") -> None:
        self.alerts.append((title, prompt))


class _Cell:
    def __init__(self, row: int, column: int) -> None:
        self.row, self.column = row, column


class Formula(str):
    """A cell entered as a formula (a text starting with "=", no apostrophe). ``shows``: what Excel calculated
    for it where a test says so (nothing is calculated here), else None."""

    shows: Any = None


_HYPERLINK = re.compile(r'^=HYPERLINK\("(?:[^"]|"")*",\s*"((?:[^"]|"")*)"\)$')


_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_PERCENT = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)%\s*")
_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")
_US_DAY = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*")


def typed(text: str) -> Any:
    """What Excel makes of text written into a cell through COM, as of the APM typing it (US settings): a
    number, a percentage, a truth value or a date is retyped; text behind an apostrophe stays text."""
    if text.startswith("'"):
        return text[1:]
    if _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 1e15 and not re.search("[.eE]", text) \
            else number
    if m := _PERCENT.fullmatch(text):
        return float(m[1]) / 100
    if text.strip().upper() in ("TRUE", "FALSE"):
        return text.strip().upper() == "TRUE"
    for pattern, order in ((_ISO_DAY, (0, 1, 2)), (_US_DAY, (2, 0, 1))):
        if m := pattern.fullmatch(text):
            y, mo, d = (int(m[k + 1]) for k in order)
            try:
                return datetime(y + (2000 if y < 30 else 1900 if y < 100 else 0), mo, d)
            except ValueError:
                return text
    return text


def shown(v: Any) -> Any:
    """What Excel shows for a cell: a HYPERLINK's label (the formulas prodbook writes); no other formula
    is calculated here (None, or the ``shows`` a test gave it)."""
    if not isinstance(v, Formula):
        return v
    m = _HYPERLINK.match(v)
    return m.group(1).replace('""', '"') if m else v.shows


PROTECTED = "The cell or chart you're trying to change is on a protected sheet."
"""What Excel raises (COM error 1004) for a write into a locked cell of a protected sheet."""


class _Validation:
    """Excel's ``Range.Validation`` of a cell with a rule (its numbers as Excel's enumerations)."""

    _TYPES = {"whole": 1, "decimal": 2, "list": 3, "date": 4, "time": 5, "textLength": 6, "custom": 7}
    _OPERATORS = {"between": 1, "notBetween": 2, "equal": 3, "notEqual": 4, "greaterThan": 5, "lessThan": 6,
                  "greaterThanOrEqual": 7, "lessThanOrEqual": 8}

    def __init__(self, dv: Any) -> None:
        self.Type = self._TYPES.get(dv.type or "", 0)
        self.Operator = self._OPERATORS.get(dv.operator or "between", 1)
        first = dv.formula1 or ""
        # Excel gives a typed list without its quotes, and a reference or formula with its "="
        self.Formula1 = first[1:-1] if first.startswith('"') else f"={first}" if first and not first[0].isdigit() \
            else first
        self.Formula2 = dv.formula2 or ""
        self.ShowError = bool(dv.showErrorMessage)
        self.AlertStyle = {"stop": 1, "warning": 2, "information": 3}[dv.errorStyle or "stop"]


class _DataValidation:
    """xlwings' ``Range.data_validation`` (0.37.5+) of one cell, as xlwings gives it on Windows and a Mac alike:
    named types and operators, comparison operands with their '=', a list's source and a custom formula as
    Excel gives them."""

    _TYPES = {1: "whole_number", 2: "decimal", 3: "list", 4: "date", 5: "time", 6: "text_length", 7: "custom"}
    _OPERATORS = {1: "between", 2: "not_between", 3: "equal_to", 4: "not_equal_to", 5: "greater_than",
                  6: "less_than", 7: "greater_than_or_equal", 8: "less_than_or_equal"}
    _COMPARED = {"whole_number", "decimal", "date", "time", "text_length"}

    def __init__(self, rule: _Validation | None) -> None:
        self._rule = rule

    @property
    def type(self) -> str:
        return "none" if self._rule is None else self._TYPES.get(self._rule.Type, "unknown")

    @property
    def operator(self) -> str | None:
        return self._OPERATORS.get(self._rule.Operator) if self.type in self._COMPARED else None  # type: ignore[union-attr]

    @staticmethod
    def _normal(value: str) -> str:
        return value if value.startswith("=") else f"={value}"

    @property
    def formula1(self) -> str | None:
        return self._normal(str(self._rule.Formula1)) if self.type in self._COMPARED else None  # type: ignore[union-attr]

    @property
    def formula2(self) -> str | None:
        if self.operator not in {"between", "not_between"}:
            return None
        return self._normal(str(self._rule.Formula2))  # type: ignore[union-attr]

    @property
    def formula(self) -> str | None:
        return str(self._rule.Formula1) if self.type == "custom" else None  # type: ignore[union-attr]

    @property
    def source(self) -> str | None:
        return str(self._rule.Formula1) if self.type == "list" else None  # type: ignore[union-attr]

    @property
    def show_error(self) -> bool | None:
        return None if self._rule is None else bool(self._rule.ShowError)

    @property
    def alert_style(self) -> str | None:
        return None if self._rule is None else {1: "stop", 2: "warning", 3: "information"}[self._rule.AlertStyle]


class _Reference:
    """An appscript reference to one property: read with ``get``."""

    def __init__(self, target: Any, name: str) -> None:
        self._target, self._name = target, name

    def get(self) -> Any:
        return getattr(self._target, self._name)


class AppleScript:
    """An object of Excel's object model as a Mac's Excel gives it through appscript: the same state as the
    Windows (COM) object it wraps, but answering only to AppleScript's names (``read_only``, a reference to
    ``get``); a Windows name raises AttributeError, as appscript does. Set through its Windows names (the
    tests' own way in), it changes the object it wraps."""

    NAMES = {"read_only": "ReadOnly", "date_1904": "Date1904", "protect_structure": "ProtectStructure",
             "protect_contents": "ProtectContents", "locked": "Locked"}

    def __init__(self, com: Any) -> None:
        object.__setattr__(self, "com", com)

    def __getattr__(self, name: str) -> Any:
        if name in self.NAMES and hasattr(self.com, self.NAMES[name]):
            return _Reference(self.com, self.NAMES[name])
        raise AttributeError(f"Unknown property, element or command: {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.com, name, value)


def _fill(dxf: Any) -> str | None:
    """A colour rule's fill colour (RGB hex) as the file holds it, None for none."""
    fill = getattr(dxf, "fill", None)
    rgb = getattr(getattr(fill, "bgColor", None), "rgb", None) if fill is not None else None
    return rgb[-6:] if isinstance(rgb, str) and rgb != "00000000" else None  # 00000000: openpyxl's unset colour


def _address(areas: list[tuple[int, int, int, int]]) -> str:
    """Excel's ``Range.Address`` of areas (row, col, row, col): '$B$4:$B$9,$D$2'."""
    def cell(r: int, c: int) -> str:
        return f"${get_column_letter(c)}${r}"

    return ",".join(cell(r1, c1) + ("" if (r1, c1) == (r2, c2) else ":" + cell(r2, c2)) for r1, c1, r2, c2 in areas)


class _FormatCondition:
    """A colour rule (Excel's ``FormatCondition``): its cells, and its formulas as Excel gives them, with their
    '=' and seen from the selected cell (``seen_from``: the app's active cell; A1 without one) rather than from
    the rule's first cell: a relative reference comes back moved (Microsoft's article 895562), a fixed one as
    typed. One Excel would wrap past the sheet's edge raises here. ``Type`` is Excel's kind (2: a formula),
    ``Interior.Color`` its fill as Excel gives a colour (BGR, None for none); ``Modify`` takes a formula seen
    from the selected cell too, and changes only the formula: cells, place in the order and colours stay."""

    TYPES = {"cellIs": 1, "expression": 2, "colorScale": 3, "dataBar": 4, "top10": 5, "iconSet": 6,
             "uniqueValues": 8, "containsText": 9, "containsBlanks": 10, "timePeriod": 11, "aboveAverage": 12}
    """openpyxl's rule types as Excel's ``XlFormatConditionType``."""

    def __init__(self, areas: list[tuple[int, int, int, int]], formulas: list[str], kind: int = 2,
                 fill: str | None = None, seen_from: Any = None) -> None:
        self.areas, self.formulas = areas, formulas
        self.Type = kind
        self.Interior = _Where(0, 0)
        self.Interior.Color = None if fill is None else int(fill[4:6] + fill[2:4] + fill[0:2], 16)  # type: ignore[attr-defined]
        self.seen_from = seen_from

    def _origin(self) -> str:
        r, c = self.seen_from() if self.seen_from is not None else (1, 1)
        return f"{get_column_letter(c)}{r}"

    def Modify(self, Type: int, Operator: Any = None, Formula1: str | None = None,  # noqa: N802, N803
               Formula2: str | None = None) -> None:
        r, c = self.areas[0][:2]
        formulas = [f for f in (Formula1, Formula2) if f is not None]
        try:
            self.formulas = [Translator(f if f.startswith("=") else "=" + f, origin=self._origin())
                             .translate_formula(f"{get_column_letter(c)}{r}")[1:] for f in formulas]
        except TranslatorError as exc:
            raise RuntimeError("a reference Excel would wrap around the sheet") from exc
        self.Type = Type

    @property
    def AppliesTo(self) -> _Where:  # noqa: N802 (Excel's name)
        where = _Where(self.areas[0][0], self.areas[0][1])
        where.Address = _address(self.areas)  # type: ignore[attr-defined]
        return where

    def _seen(self, i: int) -> str:
        if i >= len(self.formulas):
            raise RuntimeError("Application-defined or object-defined error")  # a data bar: no formula
        r, c = self.areas[0][:2]
        try:
            return Translator("=" + self.formulas[i], origin=f"{get_column_letter(c)}{r}").translate_formula(
                self._origin())
        except TranslatorError as exc:
            raise RuntimeError("a reference Excel would wrap around the sheet") from exc

    @property
    def Formula1(self) -> str:  # noqa: N802 (Excel's name)
        return self._seen(0)

    @property
    def Formula2(self) -> str:  # noqa: N802 (Excel's name)
        return self._seen(1)


class _Collection:
    """A collection of Excel's object model: ``Count`` and ``Item(i)`` from 1."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items
        self.Count = len(items)

    def Item(self, i: int) -> Any:  # noqa: N802 (Excel's name)
        return self._items[i - 1]


class _Area:
    def __init__(self, area: tuple[int, int, int, int], validation: _Validation) -> None:
        self.Address, self.Validation = _address([area]), validation


class _Cells:
    """``Worksheet.Cells``: the sheet's colour rules, and its cells with a validation (``SpecialCells``)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def FormatConditions(self) -> _Collection:  # noqa: N802 (Excel's name)
        return _Collection(list(self._sheet.format_conditions))

    def SpecialCells(self, kind: int) -> Any:  # noqa: N802 (Excel's name)
        by_rule: dict[int, list[tuple[int, int]]] = {}
        for at, rule in self._sheet.validations.items():
            by_rule.setdefault(id(rule), []).append(at)
        if kind != -4174 or not by_rule:
            raise RuntimeError("No cells were found.")
        areas = []
        for cells in by_rule.values():  # each rule's cells as one area (the tests give each a rectangle)
            rows, cols = [r for r, _ in cells], [c for _, c in cells]
            areas.append(_Area((min(rows), min(cols), max(rows), max(cols)), self._sheet.validations[cells[0]]))
        found = _Where(1, 1)
        found.Areas = _Collection(areas)  # type: ignore[attr-defined]
        return found


class _RangeApi:
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng
        self.Row, self.Column = rng.top

    def AddComment(self, Text: str = "") -> None:  # noqa: N802, N803 (Excel's names)
        if self._rng.top in self._rng.sheet.note_text:
            raise RuntimeError("Application-defined or object-defined error")  # a cell holds one note
        self._rng.sheet.note_text[self._rng.top] = Text

    @property
    def Validation(self) -> _Validation:  # noqa: N802 (Excel's name)
        found = self._rng.sheet.validations.get(self._rng.top)
        if found is None:
            raise RuntimeError("Application-defined or object-defined error")  # what Excel says: no rule
        return found

    @property
    def Locked(self) -> bool:  # noqa: N802 (Excel's name)
        (r1, c1), (r2, c2) = self._rng.top, self._rng.bottom
        return not all((r, c) in self._rng.sheet.unlocked for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


class _Protection:
    """Excel's ``Worksheet.Protection``: what a protected sheet still lets people do."""

    def __init__(self) -> None:
        for name in ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
                     "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
                     "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
                     "AllowUsingPivotTables"):
            setattr(self, name, False)


class _Where:
    def __init__(self, row: int, column: int) -> None:
        self.Row, self.Column = row, column


class _Comment:
    """A note (``Worksheet.Comments``) or a threaded comment (``CommentsThreaded``): its cell and text."""

    def __init__(self, row: int, column: int, text: str) -> None:
        self.Parent, self._text = _Where(row, column), text

    def Text(self) -> str:  # noqa: N802 (Excel's name)
        return self._text


class _ShapeLink:
    """A link on a picture or a shape (right-click it > Link): Excel lists it with the sheet's links, as
    ``msoHyperlinkShape``, and raises when asked for its cell."""

    Type = 1
    Address, SubAddress, ScreenTip, TextToDisplay = "https://vendor.example/factory", "", "", ""

    @property
    def Range(self) -> Any:  # noqa: N802 (Excel's name)
        raise RuntimeError("Application-defined or object-defined error")


class _Link:
    """A link (Insert > Link): Excel's ``Hyperlink``."""

    Type = 0  # msoHyperlinkRange

    def __init__(self, sheet: FakeSheet, row: int, column: int, Address: str = "", SubAddress: str = "",  # noqa: N803
                 ScreenTip: str = "", TextToDisplay: str = "") -> None:
        self._sheet, self.Range = sheet, _Where(row, column)
        self.Address, self.SubAddress = Address, SubAddress
        self.ScreenTip, self.TextToDisplay = ScreenTip, TextToDisplay

    dead = False
    """Deleted with its row: Excel's object then fails whatever is asked of it."""

    def Delete(self) -> None:  # noqa: N802
        if self.dead:
            raise RuntimeError("Object required")
        self._sheet.links.remove(self)


class _Links:
    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def __iter__(self) -> Any:
        return iter(list(self._sheet.links))

    def Add(self, Anchor: Any, Address: str, **parts: str) -> _Link:  # noqa: N802, N803
        link = _Link(self._sheet, Anchor.Row, Anchor.Column, Address, **parts)
        self._sheet.links.append(link)
        if parts.get("TextToDisplay"):
            self._sheet.cells[(Anchor.Row, Anchor.Column)] = parts["TextToDisplay"]
        return link


class _Note:
    """xlwings' ``Note`` of a cell."""

    def __init__(self, sheet: FakeSheet, at: tuple[int, int]) -> None:
        self._sheet, self._at = sheet, at

    @property
    def text(self) -> str:
        return self._sheet.note_text[self._at]

    def delete(self) -> None:
        del self._sheet.note_text[self._at]


class _UsedRange:
    """A sheet's used range, for Excel's ``Find``: in the formulas (``LookIn=-4123``, xlFormulas), part of the
    text (``LookAt=2``), any case, as Excel's Find dialog with those options; the first cell found, or None."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def Find(self, What: str, LookIn: int = -4163, LookAt: int = 2, MatchCase: bool = False) -> Any:  # noqa: N802, N803
        for (r, c), v in sorted(self._sheet.cells.items()):
            text = str(v) if LookIn == -4123 or not isinstance(v, Formula) else None  # values: a formula's not shown
            if text is None:
                continue
            hit = (What.lower() in text.lower()) if LookAt == 2 else What.lower() == text.lower()
            if hit:
                return _Cell(r, c)
        return None


class _SheetApi:
    """The protection part of Excel's Worksheet object, as Excel behaves: Unprotect with a wrong password
    fails, Protect sets the options it is given. Its notes, threaded comments and links, where they are."""

    @property
    def Comments(self) -> list[_Comment]:  # noqa: N802
        return [_Comment(r, c, t) for (r, c), t in self._sheet.note_text.items()]

    @property
    def CommentsThreaded(self) -> list[_Comment]:  # noqa: N802
        return [_Comment(r, c, t) for (r, c), t in self._sheet.threaded.items()]

    @property
    def Hyperlinks(self) -> _Links:  # noqa: N802
        return _Links(self._sheet)

    @property
    def Cells(self) -> _Cells:  # noqa: N802
        return _Cells(self._sheet)

    @property
    def UsedRange(self) -> _UsedRange:  # noqa: N802
        return _UsedRange(self._sheet)

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet
        self.ProtectContents = False
        self.ProtectDrawingObjects = False
        self.ProtectScenarios = False
        self.ProtectionMode = False
        self.Protection = _Protection()
        self.password = ""
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def Unprotect(self, Password: str = "") -> None:  # noqa: N802, N803 (Excel's names)
        self.calls.append(("Unprotect", {"Password": Password}))
        if self.ProtectContents and Password != self.password:
            raise RuntimeError("The password you supplied is not correct.")
        self.ProtectContents = False

    def Protect(self, Password: str = "", DrawingObjects: bool = True, Contents: bool = True,  # noqa: N802, N803
                Scenarios: bool = True, UserInterfaceOnly: bool = False, **allowed: bool) -> None:
        self.calls.append(("Protect", {"Password": Password, "DrawingObjects": DrawingObjects,
                                       "Contents": Contents, "Scenarios": Scenarios,
                                       "UserInterfaceOnly": UserInterfaceOnly, **allowed}))
        self.password = Password
        self.ProtectContents, self.ProtectDrawingObjects, self.ProtectScenarios = Contents, DrawingObjects, Scenarios
        self.ProtectionMode = UserInterfaceOnly
        for name, value in allowed.items():
            setattr(self.Protection, name, value)


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: tuple[int, int], bottom: tuple[int, int] | None) -> None:
        self.sheet, self.top, self.bottom = sheet, top, bottom or top
        self._opts: dict[str, Any] = {}
        self.whole_rows = False

    @property
    def api(self) -> Any:
        com = _RangeApi(self)
        return AppleScript(com) if self.sheet.mac else com

    @property
    def data_validation(self) -> _DataValidation:
        return _DataValidation(self.sheet.validations.get(self.top))

    @property
    def note(self) -> _Note | None:
        return _Note(self.sheet, self.top) if self.top in self.sheet.note_text else None

    def add_note(self, text: str) -> _Note:
        if self.top in self.sheet.note_text:
            raise ValueError("This cell already has a note")
        self.sheet.note_text[self.top] = text
        return _Note(self.sheet, self.top)

    def options(self, **kw: Any) -> FakeRange:
        r = FakeRange(self.sheet, self.top, self.bottom)
        r._opts = kw
        return r

    def _grid(self) -> list[list[Any]]:
        (r1, c1), (r2, c2) = self.top, self.bottom
        self.sheet.cells_read += (r2 - r1 + 1) * (c2 - c1 + 1)
        return [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def value(self) -> Any:
        return [[shown(v) for v in row] for row in self._grid()]

    @value.setter
    def value(self, values: Any) -> None:
        r1, c1 = self.top
        rows = values if isinstance(values, list) and values and isinstance(values[0], list) else [[values]]
        if self.sheet.com.ProtectContents and any((r1 + i, c1 + j) not in self.sheet.unlocked
                                                  for i, row in enumerate(rows) for j in range(len(row))):
            raise RuntimeError(PROTECTED)
        self.sheet.writes.append((r1, c1, len(rows), max(len(r) for r in rows)))
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("="):
                    v = Formula(v)
                elif isinstance(v, str):
                    v = typed(v)
                if v in ("", None):
                    self.sheet.cells.pop((r1 + i, c1 + j), None)
                else:
                    self.sheet.cells[(r1 + i, c1 + j)] = v

    @property
    def formula(self) -> Any:
        return tuple(tuple("" if v is None else v for v in row) for row in self._grid())

    @property
    def merge_area(self) -> FakeRange:
        """The merged range holding the range's first cell, or that cell (Excel's ``MergeArea``)."""
        r, c = self.top
        hit = next((m for m in self.sheet.merges if m[0] <= r <= m[2] and m[1] <= c <= m[3]), None)
        if hit is None:
            return FakeRange(self.sheet, self.top, None)
        return FakeRange(self.sheet, (hit[0], hit[1]), (hit[2], hit[3]))

    # how a range is shown: recorded on its sheet as (what, top, bottom, value), nothing rendered
    _LOOKS = ("column_width", "number_format", "wrap_text", "color")

    def __getattr__(self, name: str) -> Any:
        if name == "column_width":  # a single column's width, as Excel gives it: 0 when hidden
            return 0 if self.top[1] in self.sheet.hidden_columns else 8.43
        if name == "number_format":  # one code for the range, or None when its cells' codes differ, as Excel
            (r1, c1), (r2, c2) = self.top, self.bottom
            codes = {self.sheet.number_format_at(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
            return codes.pop() if len(codes) == 1 else None
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in FakeRange._LOOKS:
            self.sheet.looks.append((name, self.top, self.bottom, value))

        else:
            object.__setattr__(self, name, value)

    @property
    def font(self) -> Any:
        rng = self

        class Font:
            def __setattr__(self, name: str, value: Any) -> None:
                rng.sheet.looks.append((f"font.{name}", rng.top, rng.bottom, value))

        return Font()

    @property
    def row(self) -> int:
        return self.top[0]

    @property
    def column(self) -> int:
        return self.top[1]

    def get_address(self, row_absolute: bool = True, column_absolute: bool = True, include_sheetname: bool = False,
                    external: bool = False) -> str:
        """Excel's ``Range.Address``; ``external``: with the workbook's and sheet's names, quoted as Excel
        quotes them ("'[tracker.xlsx]T&A'!$C$2")."""
        def cell(r: int, c: int) -> str:
            return f"{'$' if column_absolute else ''}{get_column_letter(c)}{'$' if row_absolute else ''}{r}"

        where = cell(*self.top) + (f":{cell(*self.bottom)}" if self.bottom != self.top else "")
        if not external:
            return where
        if self.sheet.book is None:
            raise RuntimeError("a sheet in no workbook")
        name = f"[{self.sheet.book.name}]{self.sheet.name}"
        if not re.fullmatch(r"[\w.\[\]]+", name):
            name = "'" + name.replace("'", "''") + "'"
        return f"{name}!{where}"

    @property
    def last_cell(self) -> _Cell:
        return _Cell(*self.bottom)

    def delete(self, shift: str | None = None) -> None:
        """Whole rows only (``sheet.range("5:9")``), as Excel deletes them: the rows below move up with their
        notes, links and rules (those on the rows go with them), a Table over them shrinks, and every
        reference to the sheet's rows is adjusted (``_adjust_rows``)."""
        if not self.whole_rows:
            raise NotImplementedError("the stand-in deletes whole rows only")
        (r1, _), (r2, _) = self.top, self.bottom
        self.sheet.deletes.append((r1, r2))
        self.sheet.move_rows(r1, r1 - r2 - 1)

    def insert(self, shift: str | None = None) -> None:
        """Whole rows only, as Home > Insert > Insert Sheet Rows: the rows from the first one down move down
        with their notes, links and rules, a Table over them grows, every reference to the sheet's rows is
        adjusted (``_adjust_rows``). A protected sheet refuses, as Excel does, unless it allows it."""
        if not self.whole_rows or shift not in (None, "down"):
            raise NotImplementedError("the stand-in inserts whole rows only")
        api = self.sheet.api
        if api.ProtectContents and not api.Protection.AllowInsertingRows:
            raise RuntimeError(PROTECTED)
        (r1, _), (r2, _) = self.top, self.bottom
        if any(r > SHEET_ROWS - (r2 - r1 + 1) for r, _ in self.sheet.cells):
            raise RuntimeError("To prevent possible loss of data, Excel cannot shift nonblank cells off of the "
                               "worksheet.")
        self.sheet.inserts.append((r1, r2))
        self.sheet.move_rows(r1, r2 - r1 + 1)


SHEET_ROWS = 1_048_576

_REF = re.compile(r"""(?P<sheet>'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?(?P<a>\$?[A-Z]{1,3}\$?)(?P<r1>\d+)"""
                  r"""(?::(?P<b>\$?[A-Z]{1,3}\$?)(?P<r2>\d+))?(?![\w(])""")
_R1C1 = re.compile(r"R(\d+)C(\d+)(?::R(\d+)C(\d+))?")


def _moved_row(r: int, at: int, count: int, end: bool | None) -> int | None:
    """Where Excel puts a reference's row ``r`` when ``count`` rows go in at ``at`` (or ``-count`` rows leave from
    it): a range's ``end`` row inside the rows deleted stops above them, its start row below; a cell in them is
    gone (None)."""
    if r < at:
        return r
    if count > 0:
        return r + count
    if r >= at - count:
        return r + count
    return None if end is None else at - 1 if end else at


def _moved_area(r1: int, r2: int | None, at: int, count: int) -> tuple[int, int | None] | None:
    if r2 is None:
        cell = _moved_row(r1, at, count, None)
        return None if cell is None else (cell, None)
    top, bottom = _moved_row(r1, at, count, False), _moved_row(r2, at, count, True)
    if top is None or bottom is None or top > bottom:
        return None
    return top, bottom


def _adjust_rows(formula: str, own: str, target: str, at: int, count: int) -> str:
    """A formula on sheet ``own`` after ``count`` rows go in (or leave) at row ``at`` of sheet ``target``: Excel's
    rule, written here apart from prodbook's own (``xlsx.refs``). Text in quotes is left alone."""
    pieces = re.split(r'("(?:[^"]|"")*")', formula)
    for i in range(0, len(pieces), 2):
        def one(m: re.Match[str]) -> str:
            named = m.group("sheet")
            sheet = named[:-1].strip("'").replace("''", "'") if named else own
            if sheet.lower() != target.lower():
                return m.group(0)
            moved = _moved_area(int(m.group("r1")), int(m.group("r2")) if m.group("r2") else None, at, count)
            if moved is None:
                return "#REF!"
            text = f"{named or ''}{m.group('a')}{moved[0]}"
            return text + (f":{m.group('b')}{moved[1]}" if m.group("b") else "")
        pieces[i] = _REF.sub(one, pieces[i])
    return "".join(pieces)


def _adjust_r1c1(source: str, target: str, at: int, count: int) -> str:
    """A pivot cache's source (``'T&A'!R1C1:R11C13``) after the same change."""
    sheet, _, area = source.rpartition("!")
    if sheet.strip("'").replace("''", "'").lower() != target.lower():
        return source
    m = _R1C1.fullmatch(area)
    if m is None:
        return source
    moved = _moved_area(int(m.group(1)), int(m.group(3)) if m.group(3) else None, at, count)
    if moved is None:
        return "#REF!"
    out = f"{sheet}!R{moved[0]}C{m.group(2)}"
    return out + (f":R{moved[1]}C{m.group(4)}" if m.group(3) else "")


class FakeTable:
    def __init__(self, rng: FakeRange, show_totals: bool = False, name: str = "") -> None:
        self.range = rng
        self.name = name
        self._totals = show_totals
        self._kept: dict[int, Any] = {}
        """The Total row's cells while it is off, by column: Excel keeps each column's total for the next time
        it is turned on."""

    @property
    def show_totals(self) -> bool:
        return self._totals

    @show_totals.setter
    def show_totals(self, on: bool) -> None:
        """As Table Design > Total Row: off takes the Table's last row away (its cells with it), on puts it under
        the data again with the totals it had."""
        if bool(on) == self._totals:
            return
        sheet = self.range.sheet
        (r1, c1), (r2, c2) = self.range.top, self.range.bottom
        if self._totals:
            self._kept = {c: sheet.cells.pop((r2, c)) for c in range(c1, c2 + 1) if (r2, c) in sheet.cells}
            self.range = FakeRange(sheet, (r1, c1), (r2 - 1, c2))
        else:
            if any((r2 + 1, c) in sheet.cells for c in range(c1, c2 + 1)):
                raise NotImplementedError("the stand-in does not shift cells below a Table for its Total row")
            sheet.cells.update({(r2 + 1, c): v for c, v in self._kept.items()})
            self.range = FakeRange(sheet, (r1, c1), (r2 + 1, c2))
        self._totals = bool(on)

    @property
    def header_row_range(self) -> FakeRange:
        return FakeRange(self.range.sheet, self.range.top, (self.range.top[0], self.range.bottom[1]))

    def resize(self, rng: FakeRange) -> None:
        self.range = rng


class FakeTables(list):
    def __init__(self, sheet: FakeSheet) -> None:
        super().__init__()
        self.sheet = sheet

    def add(self, source: FakeRange) -> FakeTable:
        t = FakeTable(source)
        self.append(t)
        return t


class FakeSheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.writes: list[tuple[int, int, int, int]] = []
        self.tables = FakeTables(self)
        self.visible = True
        self.looks: list[tuple[str, tuple[int, int], tuple[int, int], Any]] = []
        self.cells_read = 0
        self.deletes: list[tuple[int, int]] = []
        self.com = _SheetApi(self)
        self.unlocked: set[tuple[int, int]] = set()
        """Cells whose Locked is cleared (Format Cells > Protection)."""
        self.validations: dict[tuple[int, int], _Validation] = {}
        self.note_text: dict[tuple[int, int], str] = {}
        self.threaded: dict[tuple[int, int], str] = {}
        self.links: list[_Link] = []
        """Notes, threaded comments and links stay on their cells whatever is written there, as in Excel."""
        self.format_conditions: list[_FormatCondition] = []
        self.inserts: list[tuple[int, int]] = []
        self.book: FakeBook | None = None
        self.hidden_columns: set[int] = set()
        self.merges: list[tuple[int, int, int, int]] = []
        """Merged ranges (Home > Merge & Center): first row, first column, last row, last column (1-based)."""
        """1-based columns hidden (Home > Format > Hide Columns): their width reads 0, as in Excel."""
        self.number_formats: dict[tuple[int, int], str] = {}
        """(row, column) -> its number format code, where not General (Format Cells > Number)."""

    def number_format_at(self, r: int, c: int) -> str:
        """A cell's number format: the last one set over it, else the file's."""
        for what, (r1, c1), (r2, c2), value in reversed(self.looks):
            if what == "number_format" and r1 <= r <= r2 and c1 <= c <= c2:
                return str(value)
        return self.number_formats.get((r, c), "General")

    @property
    def mac(self) -> bool:
        return self.book is not None and self.book.mac

    @property
    def api(self) -> Any:
        """Excel's Worksheet: COM's, or appscript's on a Mac (``FakeBook(mac=True)``)."""
        return AppleScript(self.com) if self.mac else self.com

    @property
    def notes(self) -> list[Any]:
        """xlwings' ``Sheet.notes``: each note, its cell (``location``) and its text."""
        return [type("Note", (), {"location": FakeRange(self, at, None), "text": text})()
                for at, text in self.note_text.items()]

    def move_rows(self, at: int, count: int) -> None:
        """``count`` rows in at ``at`` (or ``-count`` rows out from it), as Excel does it to this sheet and
        every reference to it in the book."""
        def where(r: int) -> int | None:
            return _moved_row(r, at, count, None)

        def moved(cells: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
            return {(n, c): v for (r, c), v in cells.items() if (n := where(r)) is not None}

        self.cells, self.note_text, self.threaded = moved(self.cells), moved(self.note_text), moved(self.threaded)
        self.validations = moved(self.validations)
        self.unlocked = {(n, c) for r, c in self.unlocked if (n := where(r)) is not None}
        for link in list(self.links):
            if link.Type != 0:
                continue  # a shape's: over the sheet, not on a row
            n = where(link.Range.Row)
            if n is None:
                link.Delete()
                link.dead = True
            else:
                link.Range = _Where(n, link.Range.Column)
        for t in self.tables:
            (t1, c1), (t2, c2) = t.range.top, t.range.bottom
            area = _moved_area(t1, t2, at, count)
            if area is not None:
                t.range = FakeRange(self, (area[0], c1), (area[1] or area[0], c2))
        for rule in self.format_conditions:
            rule.areas = [(a[0], c1, a[1] or a[0], c2) for r1, c1, r2, c2 in rule.areas
                          if (a := _moved_area(r1, r2, at, count)) is not None]
        for sheet in self.book.sheets if self.book is not None else [self]:
            sheet.cells = {k: Formula(_adjust_rows(v, sheet.name, self.name, at, count))
                           if isinstance(v, Formula) else v for k, v in sheet.cells.items()}
            for rule in sheet.format_conditions:
                rule.formulas = [_adjust_rows(f, sheet.name, self.name, at, count) for f in rule.formulas]
        if self.book is not None:
            for cache in self.book.pivot_caches:
                cache.SourceData = _adjust_r1c1(cache.SourceData, self.name, at, count)

    def range(self, top: tuple[int, int] | str, bottom: tuple[int, int] | None = None) -> FakeRange:
        if isinstance(top, str):  # whole rows, "5:9" (the only address the back end spells)
            m = re.fullmatch(r"(\d+):(\d+)", top)
            if m is None or bottom is not None:
                raise NotImplementedError(f"address {top!r}")
            r1, r2 = int(m.group(1)), int(m.group(2))
            rng = FakeRange(self, (r1, 1), (r2, 16_384))
            rng.whole_rows = True
            return rng
        return FakeRange(self, top, bottom)

    @property
    def used_range(self) -> Any:
        if not self.cells:
            return type("U", (), {"last_cell": _Cell(1, 1)})()
        return type("U", (), {"last_cell": _Cell(max(r for r, _ in self.cells),
                                                  max(c for _, c in self.cells))})()

    def activate(self) -> None:
        pass


class FakeSheets(list):
    def __init__(self, book: FakeBook) -> None:
        super().__init__()
        self.book = book

    def __getitem__(self, key: Any) -> FakeSheet:
        if isinstance(key, str):
            for s in self:
                if s.name == key:
                    return s
            raise KeyError(key)
        return list.__getitem__(self, key)

    def add(self, name: str, after: Any = None) -> FakeSheet:
        if self.book.com.ProtectStructure:
            raise RuntimeError("Workbook is protected and cannot be changed.")
        s = FakeSheet(name)
        s.book = self.book
        self.append(s)
        return s


class FakePivotCache:
    """A pivot's cache: its source as Excel gives it (``'T&A'!R1C1:R11C13`` or a Table's name)."""

    def __init__(self, source: str) -> None:
        self.SourceData = source  # noqa: N815 (Excel's name)
        self.refreshed = 0

    def Refresh(self) -> None:  # noqa: N802 (Excel's name)
        self.refreshed += 1


class _PivotCaches:
    def __init__(self, caches: list[FakePivotCache]) -> None:
        self._caches = caches

    @property
    def Count(self) -> int:  # noqa: N802 (Excel's name)
        return len(self._caches)

    def Item(self, i: int) -> FakePivotCache:  # noqa: N802 (Excel's name)
        return self._caches[i - 1]


class FakeName:
    """xlwings' Name: ``refers_to`` as Excel gives it ('=123'), ``api.Visible`` as COM has it."""

    def __init__(self, name: str, refers_to: str, visible: bool = True) -> None:
        self.name, self.refers_to = name, refers_to
        self.api = type("NameApi", (), {"Visible": visible})()


class FakeNames(list):
    """xlwings' Names: iterated, looked up by name (Excel ignores case), ``add``."""

    def add(self, name: str, refers_to: str) -> FakeName:
        held = next((n for n in self if n.name.lower() == name.lower()), None)
        if held is not None:
            held.refers_to = refers_to
            return held
        self.append(FakeName(name, refers_to))
        return self[-1]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            held = next((n for n in self if n.name.lower() == key.lower()), None)
            if held is None:
                raise KeyError(key)
            return held
        return super().__getitem__(key)


class FakeBook:
    """``mac``: Excel's object model answers as a Mac's does, through appscript (``AppleScript``)."""

    def __init__(self, name: str = "tracker.xlsx", *, mac: bool = False) -> None:
        self.name = name
        self.mac = mac
        self._fullname = ""
        self.fullname_error: Exception | None = None  # as xlwings raises for a URL it cannot map to a folder
        self.app = FakeApp()
        self.app.mac = mac
        self.sheets = FakeSheets(self)
        self.names = FakeNames()
        self.pivot_caches: list[FakePivotCache] = []
        caches = self.pivot_caches
        self.com = type("Api", (), {"Date1904": False, "ProtectStructure": False, "ReadOnly": False,
                                    "PivotCaches": lambda _self: _PivotCaches(caches)})()

    @property
    def api(self) -> Any:
        """Excel's Workbook: COM's, or appscript's on a Mac."""
        return AppleScript(self.com) if self.mac else self.com

    @property
    def fullname(self) -> str:
        if self.fullname_error is not None:
            raise self.fullname_error
        return self._fullname

    @fullname.setter
    def fullname(self, value: str) -> None:
        self._fullname = value

    @classmethod
    def from_file(cls, path: Any, *, mac: bool = False) -> FakeBook:
        """The workbook as Excel would show it: values typed (dates as datetimes), Tables kept."""
        book = cls(name=str(getattr(path, "name", path)), mac=mac)
        wb = load_workbook(path)
        for ws in wb.worksheets:
            sheet = book.sheets.add(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    v = Formula(c.value) if c.data_type == "f" else c.value
                    if isinstance(v, date) and not isinstance(v, datetime):
                        v = datetime(v.year, v.month, v.day)
                    if v not in (None, ""):
                        sheet.cells[(c.row, c.column)] = v
            for t in ws.tables.values():
                if t.totalsRowCount:  # the Table's own range: its Total row is its last
                    (c1, r1, c2, r2) = range_boundaries(t.ref)
                    sheet.tables.append(FakeTable(sheet.range((r1, c1), (r2, c2)), show_totals=True,
                                                  name=t.displayName))
                else:
                    sheet.tables.add(sheet.range((1, 1), (ws.max_row, ws.max_column))).name = t.displayName
            sheet.unlocked = {(c.row, c.column) for row in ws.iter_rows() for c in row if not c.protection.locked}
            sheet.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
            sheet.hidden_columns = {i for d in ws.column_dimensions.values() if d.hidden and d.min
                                    for i in range(d.min, (d.max or d.min) + 1)}
            for dv in ws.data_validations.dataValidation:
                rule = _Validation(dv)
                for rng in dv.sqref.ranges:
                    for r in range(rng.min_row, rng.max_row + 1):
                        for col in range(rng.min_col, rng.max_col + 1):
                            sheet.validations.setdefault((r, col), rule)
            for cf in ws.conditional_formatting:
                areas = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in cf.sqref.ranges]
                sheet.format_conditions += [
                    _FormatCondition(areas, list(rule.formula or []), _FormatCondition.TYPES.get(rule.type, 0),
                                     _fill(rule.dxf), lambda: book.app.active_cell) for rule in cf.rules]
            for row in ws.iter_rows():
                for c in row:
                    if c.number_format != "General":
                        sheet.number_formats[(c.row, c.column)] = c.number_format
                    if c.comment is not None:
                        sheet.note_text[(c.row, c.column)] = c.comment.text
                    if c.hyperlink is not None:
                        sheet.links.append(_Link(sheet, c.row, c.column, c.hyperlink.target or "",
                                                 c.hyperlink.location or "", c.hyperlink.tooltip or "",
                                                 str(c.value or "")))
            if ws.protection.sheet:
                sheet.com.Protect(Password=ws.protection.password or "")
        book.com.ProtectStructure = bool(wb.security and wb.security.lockStructure)
        for name, dn in wb.defined_names.items():
            book.names.append(FakeName(name, "=" + (dn.attr_text or ""), not dn.hidden))
        return book

    def values(self, sheet: str) -> list[list[Any]]:
        s = self.sheets[sheet]
        last = s.used_range.last_cell
        return s.range((1, 1), (last.row, last.column)).value
