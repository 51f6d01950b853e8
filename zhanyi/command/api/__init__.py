"""The headquarters' API under /api/v1/command/ (the figures API is mounted
on its own at /api/v1/figures/)."""

from .curve import urlpatterns as curve_urls
from .reports import urlpatterns as report_urls

urlpatterns = [*report_urls, *curve_urls]
