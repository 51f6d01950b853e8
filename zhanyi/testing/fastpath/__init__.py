"""Fast paths of ``testing``: the sampling points' scans (扫码), the busiest
request of a mass-testing round, justified by ``zhanyi bench testing``.

``lane``: the WSGI lane in front of Django's middleware and DRF that answers
plain token scans (``MIDDLEWARE_IN_THE_LANE`` says how it deals with each of
the project's middleware); ``scan``: the scan's hand-written, prepared reads
and writes (``ScanStatements``), including the one-statement write of a whole
new tube. Both answer exactly as the ordinary path, ``api.ScanView`` with
``actions.scanning.OrmStatements``, does (``tests/test_fastpath_*.py``).
"""
