"""Fast paths of ``core``: the hand-written statements a hot request may use.

``statements``: model instances loaded from hand-written SQL and the cursor
that prepares each statement on its PostgreSQL connection; ``writes``: inserts
written once per model, and writes carried in one statement with an insert.
They reach into psycopg and Django internals, so only the fast paths
(``zhanyi/*/fastpath/``) import them; every other module uses the ORM. Each is
tested against the ORM query or save it stands for (``tests/test_fastpath.py``).
"""
