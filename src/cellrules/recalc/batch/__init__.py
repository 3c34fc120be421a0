"""Recalculating workbooks: one file end to end (:mod:`run`: scan, evaluate, write back), many files
here or in worker processes (:mod:`command`, ``cellrules recalc``), on a Dask cluster (:mod:`cluster`),
and the conversion of a workbook between the two add-ins' spellings (:mod:`convert`).

May import everything below it in :mod:`cellrules.recalc` and :mod:`cellrules.xlsx`, and the rules folder
(:mod:`cellrules.store`). Nothing in cellrules imports it but the command line, the demo and the impact report.
"""
