from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhanyi.core.health import healthz
from zhanyi.core.prometheus import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("zhanyi.accounts.urls")),
    path("places/", include("zhanyi.places.urls")),
    path("people/", include("zhanyi.people.urls")),
    path("teams/", include("zhanyi.teams.urls")),
    path("tracing/", include("zhanyi.tracing.urls")),
    path("screening/", include("zhanyi.screening.urls")),
    path("testing/", include("zhanyi.testing.urls")),
    path("quarantine/", include("zhanyi.quarantine.urls")),
    path("coldchain/", include("zhanyi.coldchain.urls")),
    path("zones/", include("zhanyi.zones.urls")),
    path("livelihood/", include("zhanyi.livelihood.urls")),
    path("vaccination/", include("zhanyi.vaccination.urls")),
    path("supplies/", include("zhanyi.supplies.urls")),
    path("checkpoints/", include("zhanyi.checkpoints.urls")),
    path("workforce/", include("zhanyi.workforce.urls")),
    path("clinics/", include("zhanyi.clinics.urls")),
    path("publicity/", include("zhanyi.publicity.urls")),
    path("care/", include("zhanyi.care.urls")),
    path("api/v1/accounts/", include("zhanyi.accounts.api")),
    path("api/v1/places/", include("zhanyi.places.api")),
    path("api/v1/people/", include("zhanyi.people.api")),
    path("api/v1/teams/", include("zhanyi.teams.api")),
    path("api/v1/tracing/", include("zhanyi.tracing.api")),
    path("api/v1/screening/", include("zhanyi.screening.api")),
    path("api/v1/testing/", include("zhanyi.testing.api")),
    path("api/v1/quarantine/", include("zhanyi.quarantine.api")),
    path("api/v1/coldchain/", include("zhanyi.coldchain.api")),
    path("api/v1/zones/", include("zhanyi.zones.api")),
    path("api/v1/livelihood/", include("zhanyi.livelihood.api")),
    path("api/v1/vaccination/", include("zhanyi.vaccination.api")),
    path("api/v1/supplies/", include("zhanyi.supplies.api")),
    path("api/v1/checkpoints/", include("zhanyi.checkpoints.api")),
    path("api/v1/workforce/", include("zhanyi.workforce.api")),
    path("api/v1/clinics/", include("zhanyi.clinics.api")),
    path("api/v1/publicity/", include("zhanyi.publicity.api")),
    path("api/v1/care/", include("zhanyi.care.api")),
    path("api/v1/figures/", include("zhanyi.command.api.figures")),
    path("api/v1/command/", include("zhanyi.command.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("zhanyi.command.urls")),
]
