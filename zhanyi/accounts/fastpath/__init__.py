"""Fast paths of ``accounts``, for the scan lane (``zhanyi.testing.fastpath``).

``token``: the API token checked by one hand-written, prepared statement
instead of DRF's ``TokenAuthentication`` (``zhanyi.accounts.auth``);
``audit``: an audit record written in one statement with the writes it
records. Both agree with the ordinary path they stand for
(``tests/test_fastpath.py``); nothing else uses them.
"""
