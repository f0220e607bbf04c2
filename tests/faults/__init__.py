"""Fault injection: real files, real processes, a workbook that is always the original or the complete new one."""
