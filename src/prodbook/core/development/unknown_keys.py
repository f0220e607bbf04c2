"""Lab Dips and Samples rows whose Style # or Color the tracker does not know.

A lab dip or a sample reaches the T&A through its style and colour, matched as the tracker's own keys
match (``fold_text``: case and outer spaces aside). A row typed 'SS27-KT-10O9' (a letter O) or 'Heather
Gray' for the style's 'Heather Grey' matches nothing, so its approval or shipment never reaches the T&A:
each such row is a warning naming the cell and the nearest known value, read as the vendor comparisons read
one (``keys.near_styles``, ``keys.near_colors``). Exactly one near value is also the Proposed Value that Accept =
Yes on the Issues sheet writes; two or more are a guess, named only. The Issues row names the record by the
sheet's key (Lab Dips: Style # / Color / Round / Option) or, on Samples, by its identity (Style # / Sample Type /
Color / Size / Purpose, as every Samples finding does), which Apply fixes finds the row by again after a sort. A
row that differs only in case or outer spaces matches already and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from prodbook.core.findings import Code, Finding, Fix, warning
from prodbook.core.keys import fold_text, near_colors, near_styles, shown_key, split_colors
from prodbook.core.where import Place, records


def known_colors(styles: pd.DataFrame, *frames: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Style (folded) -> its colours (folded -> as first written): the Colors on Styles and every colour
    the other frames (Orders, T&A) give the style."""
    out: dict[str, dict[str, str]] = {}

    def add(style: Any, colors: Iterable[str]) -> None:
        k = fold_text(style)
        if k:
            for c in colors:
                if fold_text(c):
                    out.setdefault(k, {}).setdefault(fold_text(c), c.strip())

    if "colors" in styles.columns:
        for r in records(styles, ("style", "colors")):
            add(r["style"], split_colors(r["colors"]) if r.get("colors") is not None else [])
    for frame in frames:
        if len(frame) and {"style", "color"} <= set(frame.columns):
            # each style and colour once (a T&A holds a row per milestone of every PO line)
            for r in records(frame[["style", "color"]].astype(object).drop_duplicates()):
                if r["color"] is not None:
                    add(r["style"], [str(r["color"])])
    return out


def _nearest(value: str, known: dict[str, str], style: bool) -> list[str]:
    """The known values (as written) ``value`` most likely means, best first (``keys.near_styles``,
    ``keys.near_colors``, the readings the vendor comparisons use): one is a clear match, more a guess."""
    if style:
        return [known[k] for k in near_styles(fold_text(value), known)]
    return near_colors(value, known.values())


def _hint(near: list[str]) -> str:
    """The end of the sentence before what to do: the nearest known value, when there is one."""
    return f"; did you mean {near[0]}? " if near else ". "


def _fix(near: list[str], place: Place, source: str) -> Fix | None:
    """The one clear match as a Proposed Value, which Accept = Yes on the Issues sheet writes into the cell; none
    for a guess between two or more, nor on a sheet whose rows Apply fixes could not find again (neither key
    columns nor an identity: a row's number alone is another row once the APM sorts the sheet)."""
    return Fix(near[0], source, near[0]) if len(near) == 1 and place.spec is not None and place.spec.named_by \
        else None


def unknown_keys(rows: pd.DataFrame, place: Place, styles: pd.DataFrame, styles_sheet: str,
                 colors: dict[str, dict[str, str]], what: str) -> list[Finding]:
    """A warning for each row of ``rows`` (Lab Dips or Samples: ``style``, ``color``, ``_row``) whose Style #
    is not on Styles, or whose Color is not one of that style's colours (``known_colors``). Nothing is said
    when Styles is empty, nor about a colour of a style with no colours known, nor about a blank cell."""
    if not len(rows) or not len(styles) or "style" not in styles.columns:
        return []
    style_names = {fold_text(s): str(s).strip() for s in styles["style"] if fold_text(s)}
    found: list[Finding] = []
    nearest: dict[tuple[str, str], list[str]] = {}  # a typo repeated on many rows is looked up once
    named_by = place.spec.named_by if place.spec is not None else ()
    key_fields = named_by if set(named_by) <= set(rows.columns) else ()

    def near_of(value: Any, known: dict[str, str], among: str) -> list[str]:
        k = (among, fold_text(value))
        if k not in nearest:
            nearest[k] = _nearest(str(value), known, style=not among)
        return nearest[k]

    for r in records(rows, ("style", "color", "_row", *key_fields)):
        style, color = r.get("style"), r.get("color")
        k = fold_text(style)
        if not k:
            continue
        # the record as the Issues sheet names it, which Apply fixes finds the row by ('S1 / Navy / 2' on Lab Dips,
        # 'S1 / Proto / Navy / M / Fit approval' on Samples: two samples of a typo'd style keep their own Dismiss)
        record = shown_key(r.get(f) for f in key_fields) if key_fields else None
        if k not in style_names:
            near = near_of(style, style_names, "")
            found.append(warning(
                Code.STYLE_UNKNOWN,
                f"style '{style}' is not on the {styles_sheet} sheet, so this {what} never reaches the T&A"
                f"{_hint(near)}Correct the Style # (or add the style to {styles_sheet})",
                **place.at(r["_row"], "style", key=record or style, value=style),
                fix=_fix(near, place, f"{styles_sheet} sheet")))
            continue
        known = colors.get(k)
        if not known or color is None or not fold_text(color) or fold_text(color) in known:
            continue
        near = near_of(color, known, k)
        found.append(warning(
            Code.COLOR_UNKNOWN,
            f"colour '{color}' is not one of style {style_names[k]}'s colours ({', '.join(known.values())}) on "
            f"{styles_sheet} or Orders, so this {what} never reaches the T&A{_hint(near)}Correct the Color "
            "(or add the colour to the style)",
            **place.at(r["_row"], "color", key=record or f"{style} / {color}", value=color),
            fix=_fix(near, place, f"colours of style {style_names[k]}")))
    return found
