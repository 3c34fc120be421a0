"""The toolkit a policy kind validates its part of a rule file with: :mod:`base` (the :class:`Checker`
that walks a loaded source and records diagnostics with their line and column, typed field readers) and
:mod:`intervals` (ranges that must not overlap or leave gaps). It imports no kind; the whole-file
validation that dispatches to the kinds is :mod:`cellrules.validation`."""
