"""Search by the last digits (尾号) of an identity number or a phone, with an index.

Data staff and five-to-one teams find a person by the last four or more
characters of a number they are told. ``identity_number__endswith="1234"`` is
``LIKE '%1234'``: no b-tree can serve a pattern that starts with a wildcard, so
every such search reads the whole person table (5 million rows for a city).

The ``tail`` lookup means the same thing as ``endswith`` (case-sensitive on
PostgreSQL, as ``endswith`` is) but is written, on PostgreSQL, as a prefix
search of the reversed value::

    reverse(identity_number) LIKE '4321%'

which the expression index ``reverse(identity_number) text_pattern_ops`` (one on
``phone`` too; migration ``people.0006``) answers with a range scan that reads
only the matching entries. ``text_pattern_ops`` makes the index serve ``LIKE``
prefixes whatever the database's collation (a plain b-tree does only under
the ``C`` collation).

Why this index and not another (docs/people.md has the figures, measured on
a million persons):

- ``pg_trgm`` GIN indexes would also serve ``LIKE '%1234'`` as it is, but need
  ``CREATE EXTENSION`` (rights a deployment may not have), took three times as
  long to answer a 4-digit search (it intersects the lists of the tail's
  trigrams, some ten thousand persons per million each, and rechecks the rows),
  over three times as long to build, and slowed inserting persons more.
- Stored suffix (or reversed) columns would have to be kept right by every
  writer (the form, the API, the bulk ``COPY`` import, pushed lists, merges);
  an expression index is kept right by the database itself.

SQLite (the embedded demo database) has no ``reverse()``: Django registers a
Python function for it, which an index could use only while Django's
connection is the one writing (any other client would fail to insert a
person), and SQLite does not use an expression index for ``LIKE`` anyway. So
on SQLite ``tail`` is ``endswith``: a scan, which at the demo's size (tens of
thousands of persons) takes milliseconds.
"""

from __future__ import annotations

from django.db.models import Lookup
from django.db.models.lookups import EndsWith

#: Index name → column, for the indexes ``tail`` relies on (PostgreSQL only).
INDEXES = {
    "people_person_identity_tail": "identity_number",
    "people_person_phone_tail": "phone",
}


class Tail(Lookup):
    """``field__tail=value``: the field's value ends with ``value``.

    Register it only on a field that has the index (see the module's docstring):
    on PostgreSQL a plain value is searched through that index; anything else
    (another database, a value that is an expression) is ``endswith``.
    """

    lookup_name = "tail"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(EndsWith(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value() or self.bilateral_transforms:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Reverse first, then escape: escaping puts a backslash in front of
        # a "%", "_" or backslash, and it must stay in front of that character.
        pattern = connection.ops.prep_for_like_query(str(self.rhs)[::-1]) + "%"
        # ``reverse(col)`` exactly as the index was built (``endswith`` would
        # write ``col::text``), so that the planner recognises the index's expression.
        return f"reverse({lhs}) LIKE %s", [*lhs_params, pattern]
