"""cellrules: spreadsheet functions backed by editable YAML policy files.

This module owns only the package's public surface; every stage lives in its
own module (source → validate → compile → engine/vector → evaluate →
functions → CLI).
"""
from cellrules.errors import ExcelError
from cellrules.store import RulesFolderError, use_rules

__version__ = "0.1.0"
__all__ = ["ExcelError", "RulesFolderError", "use_rules", "__version__"]
