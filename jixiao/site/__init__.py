"""报送站: units submit their workbooks to the bureau's intranet server; errors block a submission, warnings
need a 说明, and the bureau sees who has submitted, who was sent back and who is missing.

- :mod:`.store` SQLAlchemy Core schema (SQLite or PostgreSQL) and the content-addressed file store;
- :mod:`.auth` passwords, 登录码, signed tokens, login slowdown, CSRF;
- :mod:`.roster` the roster workbook and the 登录码 workbook;
- :mod:`.service` a submission and the county summary (the existing validate and consolidation);
- :mod:`.app` the FastAPI application (JSON API + the add-in endpoint), :mod:`.pages` the pages;
- :mod:`.cli` ``jixiao serve``.
"""
