"""The database layer: every SQL difference between PostgreSQL and SQLite.

``dialect`` says which database a connection is and runs the few statements
that differ (statistics, read-only sessions); ``bulk`` writes and reads many
rows at once (COPY on PostgreSQL, batched statements on SQLite). Apps call
them and never read ``connection.vendor`` themselves
(``zhanyi/core/tests/test_dialect_rule.py`` keeps it so).
"""
