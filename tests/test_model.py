"""The sheet layouts and the pydantic records describe the same workbook."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from prodbook.core.model import ALL_SHEETS, RECORDS, records
from prodbook.core.model.records import Order, TemplateMilestone
from prodbook.core.model.sheets import normalise_header, spec_by_name


def _field_docstrings() -> dict[str, set[str]]:
    """Per record class, the fields followed by a docstring in records.py (and in the classes it inherits).

    Read from the source, not from pydantic: collecting attribute docstrings at import time parsed the
    module's source on every start of prodbook.
    """
    tree = ast.parse(Path(records.__file__).read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        names = set().union(*(out.get(b.id, set()) for b in node.bases if isinstance(b, ast.Name)))
        for stmt, nxt in zip(node.body, node.body[1:], strict=False):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                    and isinstance(nxt.value.value, str) and nxt.value.value.strip()):
                names.add(stmt.target.id)
        out[node.name] = names
    return out


@pytest.mark.parametrize("spec", ALL_SHEETS, ids=lambda s: s.name)
def test_every_sheet_has_a_frozen_documented_record_with_the_same_fields(spec):
    model = RECORDS[spec.name]
    assert set(model.model_fields) >= set(spec.fields), f"{spec.name}: fields missing from the record"
    assert model.model_config.get("frozen") is True
    documented = _field_docstrings().get(model.__name__, set())
    undocumented = [name for name in model.model_fields if name not in documented]
    assert not undocumented, f"{model.__name__}: fields without a docstring: {undocumented}"
    for key in spec.key:
        assert key in spec.fields


@pytest.mark.parametrize("spec", ALL_SHEETS, ids=lambda s: s.name)
def test_headers_and_synonyms_do_not_collide_within_a_sheet(spec):
    seen: dict[str, str] = {}
    for col in spec.columns:
        for text in (col.header, *col.synonyms):
            folded = normalise_header(text)
            assert seen.get(folded, col.field) == col.field, \
                f"{spec.name}: '{text}' would map to both {seen[folded]} and {col.field}"
            seen[folded] = col.field


def test_header_variants_people_type_fold_together():
    assert {normalise_header(h) for h in ("Style #", "Style No", "Style No.", "STYLE#", "style number")} \
        == {"style#"}
    assert normalise_header("Ex-Factory") == normalise_header("EX FACTORY") != normalise_header("Ex-Fty")


def test_records_refuse_what_the_sheet_cannot_mean():
    with pytest.raises(ValidationError):
        Order(po="1", style="S", color="Navy", qty=-5)
    with pytest.raises(ValidationError):
        TemplateMilestone(template="T", code="A", anchor="PO Date", offset=3, day_type="Fortnightly")
    step = TemplateMilestone(template="T", code="A", anchor="PO Date", offset=3, day_type=" cal ")
    assert step.day_type.value == "Calendar" and step.critical is False
    with pytest.raises(ValidationError):
        step.offset = 4  # frozen: records are values
    assert spec_by_name("T&A").key == ("po", "style", "color", "code")
