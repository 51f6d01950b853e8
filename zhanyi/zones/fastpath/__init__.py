"""Fast paths of ``zones``: the risk tiers' question (``zhanyi.places.risk``)
answered by one prepared statement. A checkpoint asks it on every check
(``zhanyi.checkpoints``), so its query is written once instead of compiled
through the ORM each time; its answers are the ORM query's
(``zhanyi/zones/tests/test_risk_tiers_fastpath.py``)."""
