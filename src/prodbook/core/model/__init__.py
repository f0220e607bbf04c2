"""The tracker's records (pydantic) and sheet layouts."""

from prodbook.core.model.records import RECORDS, DayType, Record, Status
from prodbook.core.model.sheets import ALL_SHEETS, Column, Kind, SheetSpec, spec_by_name

__all__ = ["ALL_SHEETS", "RECORDS", "Column", "DayType", "Kind", "Record", "SheetSpec", "Status",
           "spec_by_name"]
