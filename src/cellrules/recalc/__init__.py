"""Headless recalculation of workbooks: ``cellrules recalc``.

Stages, one per module: ``xlsx`` (read the package safely) → ``parser``
(formula text → AST) → ``grouping`` (formulas repeated down a column become
one group) → ``graph`` (dependency order, cycles) → ``evaluator`` (columnar
evaluation with ``natives`` and the cellrules functions) → ``writeback``
(cached values into the sheet XML, everything else untouched) → ``batch``
(many files, workers, progress, summary).
"""
