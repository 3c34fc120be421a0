"""Excel's values in a recalculation: scalars and their coercions (:mod:`scalars`), blocks of cells read
as numpy columns (:mod:`blocks`) and array arithmetic with Excel's broadcasting (:mod:`arrays`).

May import: :mod:`cellrules.errors`, :mod:`cellrules.coerce`, :mod:`cellrules.xlsx`. Everything else in
:mod:`cellrules.recalc` builds on it.
"""
