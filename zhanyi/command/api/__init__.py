"""The headquarters' API under /api/v1/command/ (the figures API is mounted
on its own at /api/v1/figures/)."""

from .curve import urlpatterns as curve_urls
from .directives import urlpatterns as directive_urls
from .drills import urlpatterns as drill_urls
from .headquarters import urlpatterns as headquarters_urls
from .map import urlpatterns as map_urls
from .meetings import urlpatterns as meeting_urls
from .plans import urlpatterns as plan_urls
from .reports import urlpatterns as report_urls
from .setup import urlpatterns as setup_urls
from .supervision import urlpatterns as supervision_urls

urlpatterns = [
    *report_urls,
    *curve_urls,
    *supervision_urls,
    *directive_urls,
    *headquarters_urls,
    *meeting_urls,
    *plan_urls,
    *drill_urls,
    *setup_urls,
    *map_urls,
]
