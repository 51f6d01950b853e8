"""REST API of the testing app (核酸检测), at ``/api/v1/testing/``, one module per topic.

For sampling phones (scans), couriers (deliveries), labs (receipts and
results, one tube per row, as JSON or as a CSV file) and the task force
(rounds, coverage, re-test lists, the pool-size recommendation).
Authentication by token (``Authorization: Token …``). Reading needs
``view_person``, writing ``edit_operations``; every object is checked
against the caller's jurisdiction (outside it: 404 or 403). A refused input
answers 400 with ``problems``: each names its row (or index), field and reason.
"""

from __future__ import annotations

from django.urls import path

from . import deliveries, planning, results, rounds, scans, uploads
from .common import PERMISSIONS
from .scans import run_scan

# The scan lane (``zhanyi.testing.fastpath.lane``) answers scans with these.
__all__ = ["PERMISSIONS", "run_scan", "urlpatterns"]

urlpatterns = [
    path("scans/", scans.ScanView.as_view(), name="testing-scans"),
    path("tubes/<str:barcode>/", scans.TubeView.as_view(), name="testing-tube"),
    path("tubes/<str:barcode>/close/", scans.CloseTubeView.as_view(), name="testing-tube-close"),
    path("deliveries/", deliveries.DeliveryView.as_view(), name="testing-deliveries"),
    path(
        "deliveries/<str:code>/receive/", deliveries.ReceiveView.as_view(), name="testing-receive"
    ),
    path("results/", results.ResultsView.as_view(), name="testing-results"),
    path("results/file/", results.ResultFileView.as_view(), name="testing-results-file"),
    path("rounds/", rounds.RoundsView.as_view(), name="testing-rounds"),
    path("rounds/<int:round_id>/", rounds.RoundView.as_view(), name="testing-round"),
    path("rounds/<int:round_id>/coverage/", rounds.CoverageView.as_view(), name="testing-coverage"),
    path(
        "rounds/<int:round_id>/samples/", uploads.RoundSamplesView.as_view(), name="testing-samples"
    ),
    path(
        "rounds/<int:round_id>/samples/file/",
        uploads.RoundSamplesFileView.as_view(),
        name="testing-samples-file",
    ),
    path("rounds/<int:round_id>/due/", rounds.DueView.as_view(), name="testing-due"),
    path("rounds/<int:round_id>/exempt/", rounds.ExemptView.as_view(), name="testing-exempt"),
    path("due/", planning.ScheduledDueView.as_view(), name="testing-scheduled-due"),
    path("pool-size/", planning.PoolSizeView.as_view(), name="testing-pool-size"),
]
