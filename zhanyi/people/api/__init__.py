"""REST API of the person index (人员库), at ``/api/v1/people/``: persons,
source records and merges (``persons``), health codes and their overrides
(``health_codes``). Authentication by token (``Authorization: Token …``)."""

from __future__ import annotations

from . import health_codes, persons, register

urlpatterns = persons.urlpatterns + health_codes.urlpatterns + register.urlpatterns
