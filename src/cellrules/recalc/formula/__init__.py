"""The formula language: parsing (:mod:`parser`), the workbook as the evaluator sees it (:mod:`book`),
the dependency graph and the grouping of a column's formulas into one evaluation (:mod:`graph`,
:mod:`grouping`), evaluation (:mod:`evaluator`, :mod:`references`: the functions that take references,
:mod:`fastpath`), and the bridge to cellrules' own functions (:mod:`bridge`).

May import: :mod:`cellrules.recalc.excel`, :mod:`cellrules.recalc.values`, :mod:`cellrules.xlsx`, and the
registry of spreadsheet functions (:mod:`cellrules.functions`, :mod:`cellrules.registry`,
:mod:`cellrules.vector`). Never the batch.
"""
