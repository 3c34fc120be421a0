"""The xlsx package as a file: Office Open XML parts read and written, no formulas evaluated.

Owns reading a workbook's parts (:mod:`reader`: sheets, shared strings, defined names, styles' date
formats; :mod:`rowscan` and :mod:`cellxml`: the cells of a sheet's XML), Excel tables
(:mod:`listobjects`), A1 addresses (:mod:`addresses`), date serials and the 1900/1904 date systems
(:mod:`serials`), the cell store (:mod:`cells`), and writing computed values back into a copy of the
package (:mod:`writeback`, :mod:`spills`, :mod:`docprops`, :mod:`zipwrite`: a temporary file, then a rename).

May import: the standard library, numpy, and :mod:`cellrules.errors` / :mod:`cellrules.coerce`. Never the
formula language, Excel's function library or the policies: the rule-file reader
(:mod:`cellrules.sheet_tables`) and the recalculation (:mod:`cellrules.recalc`) both build on it.
"""
