"""Fast paths of ``accounts``: hand-written statements for hot requests.

``token``: the API token checked by one hand-written, prepared statement:
the scan lane (``zhanyi.testing.fastpath``) joins more to it, and the API's
``TokenAuthentication`` (``zhanyi.accounts.auth``) runs it for every call;
``audit``: an audit record written in one statement with the writes it
records (the scan lane), or only when the row it records was written (a
checkpoint's check). Each agrees with the ORM path it stands for
(``tests/test_fastpath.py``).
"""
