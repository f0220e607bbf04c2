"""Part-level reading and writing of .xlsx/.xlsm files.

The user's workbook is never loaded and saved whole. ``rewrite_sheets`` streams
the XML of the sheets prodbook generates, makes minimal text edits to the few
shared parts that must follow (workbook.xml, styles.xml, [Content_Types].xml,
relationships, Table parts) and copies every other zip member unchanged: the
same compressed bytes, in the same order.

Small parts are read with defusedxml; the sheet being rewritten is split with
C-speed regular expressions on its (well-formed, DTD-free) SpreadsheetML so that
rows and cells that are kept can be copied verbatim, including namespace
prefixes, x14ac attributes and rich text.

Modules, in the order they build on each other: ``model`` (the records callers
pass), ``xmltext`` and ``refs`` (text and reference helpers), ``package`` (the
zip), ``book`` (workbook.xml), ``styles``, ``values`` (values to cell XML),
``sheetxml`` (splitting a sheet), then the three kinds of change — ``rewrite``
(with its ``checks``), ``create`` and ``edits`` — run by ``writer``; ``drops``
stands apart.

The public names are imported from ``prodbook.workbook.xlsxparts``.
"""
