"""Decision tables the DMN way: the closed grammar of their cells, their hit policies, and DMN files.

:mod:`unary` reads a cell (DMN's simple unary tests: ``< 18``, ``[18..65)``,
``"Low", "Medium"``, ``not("High")``, ``-``) into a test that matches one value,
a numpy column and a durable-rules condition alike; :mod:`hits` turns the rules
that matched into the table's answer under each hit policy; :mod:`xml` reads and
writes DMN 1.1–1.5 files.
"""
