"""Fast paths of ``checkpoints``: a check's reads and its write in prepared
statements, for ``POST /api/v1/checkpoints/checks/`` (every station's phones
all day). The request still goes through every middleware, DRF and the
action (``actions.do_record_check``); only the statements are written by
hand. Each agrees with the ORM query or save it stands for
(``zhanyi/checkpoints/tests/test_fastpath.py``)."""
