"""The sheet layouts and the pydantic records describe the same workbook."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from prodbook.core.model import ALL_SHEETS, RECORDS
from prodbook.core.model.records import Order, TemplateMilestone
from prodbook.core.model.sheets import normalise_header, spec_by_name


@pytest.mark.parametrize("spec", ALL_SHEETS, ids=lambda s: s.name)
def test_every_sheet_has_a_frozen_documented_record_with_the_same_fields(spec):
    model = RECORDS[spec.name]
    assert set(model.model_fields) >= set(spec.fields), f"{spec.name}: fields missing from the record"
    assert model.model_config.get("frozen") is True
    undocumented = [name for name, f in model.model_fields.items() if not f.description]
    assert not undocumented, f"{model.__name__}: fields without a description: {undocumented}"
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
