"""Excel's own function library, one module per Microsoft category (Math & Trig, Statistical, Financial,
Date & Time, Text, Information, Logical, Lookup & Reference, Engineering), and :mod:`functable`, the one
table from a function's name to its implementation.

May import: :mod:`cellrules.recalc.values`, :mod:`cellrules.xlsx` (date serials, addresses),
:mod:`cellrules.errors`, :mod:`cellrules.coerce`. Never the formula evaluator or the batch.
"""
