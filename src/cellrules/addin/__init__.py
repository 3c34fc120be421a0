"""Excel front ends: the Office.js add-in served by ``cellrules serve`` and the xlwings add-in.

Only modules of this package import xlwings or the web server libraries.
"""
