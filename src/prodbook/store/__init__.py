"""The season across trackers in a database: DuckDB (embedded default) and PostgreSQL (a team's server).

``schema`` the tables and their migrations, ``db`` the two engines behind one small interface, ``load`` a
tracker in one transaction, ``rollup`` the roll-up's queries. ``jobs.rollup_job`` is the shell.
"""
