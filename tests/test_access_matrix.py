"""Role × jurisdiction matrix over every route (issue 14: "so a new route without a
scoping test fails CI").

Every URL pattern (Django's resolver) and every OpenAPI operation (drf-spectacular's
schema) must have a row in ``ROUTES``, reviewed by whoever adds the route:

- ``OBJECT``: the route names an object (its parameters are filled with objects of
  芗城区, county A); a user of 龙海区 and a user with no jurisdiction are refused
  (403, 404, 405 or sent to log in) by every method the route answers;
- ``SCOPED``: a list, a form or a page of figures; it may answer, but nothing of
  county A's personal data may appear in the answer (the marker name, number and
  phone of county A's persons);
- ``OWN``: about the signed-in user only (their account, their session);
- ``PUBLIC``: needs no log-in, shows no data (the log-in page, the language switch).

Whatever the row, no answer is a 500, and the probes leave no change behind in
county A (no audit record of a write by the probing users there). The admin site's
routes answer every non-staff user with its log-in page. A route missing from the
table, or a row whose route is gone, fails ``test_every_route_and_operation_is_in_the_table``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from zhanyi.accounts.testing import World
from zhanyi.core.audit import SystemActor
from zhanyi.core.models import AuditEvent

SYSTEM = SystemActor("matrix")

# What only county A's persons carry: no answer to a user of another county, or of
# none, may contain any of these.
MARK_NAME = "矩阵甲"
MARK_PHONE = "13955501234"


@dataclass(frozen=True)
class Row:
    kind: str  # OBJECT, SCOPED, OWN, PUBLIC
    why: str = ""


OBJECT, SCOPED, OWN, PUBLIC = "object", "scoped", "own", "public"


def obj(why: str = "") -> Row:
    return Row(OBJECT, why)


def scoped(why: str = "") -> Row:
    return Row(SCOPED, why)


# The reviewed table. Parameters are filled by name from ``objects_of_county_a``.
ROUTES: dict[str, Row] = {
    # The project
    "i18n/setlang/": Row(PUBLIC, "sets the language cookie; shows nothing"),
    "healthz": Row(PUBLIC, "for a load balancer: database and cache answer; no data"),
    "metrics": Row(PUBLIC, "counts only; a token or this machine (403 otherwise)"),
    "": scoped("the command centre: figures of the user's jurisdiction"),
    "figures/": scoped("figures of the user's jurisdiction"),
    "api/schema/": Row(OWN, "the API's description; no data"),
    "api/docs/": Row(OWN, "the API's browsable description; no data"),
    # accounts
    "accounts/login/": Row(PUBLIC, "the log-in form"),
    "accounts/logout/": Row(OWN, "ends the user's own session"),
    "accounts/me/": Row(OWN, "the user's own account and password"),
    "accounts/audit/": scoped("view_audit; events of the jurisdiction"),
    "accounts/users/": scoped("manage_users; accounts of the jurisdiction"),
    "accounts/users/new/": scoped("manage_users"),
    "accounts/users/<int:pk>/": obj(),
    "accounts/users/<int:pk>/deactivate/": obj(),
    "accounts/users/<int:pk>/reactivate/": obj(),
    "accounts/users/<int:pk>/reset-password/": obj(),
    "accounts/users/<int:pk>/password-link/": obj(),
    "accounts/users/<int:pk>/reset-2fa/": obj(),
    "accounts/2fa/": Row(OWN, "the user's own second factor: enrolment and the log-in code"),
    "accounts/staff/": scoped("manage_users; loads accounts inside the jurisdiction"),
    "accounts/staff/deactivate/": scoped("manage_users; accounts inside the jurisdiction"),
    "accounts/staff/imports/<int:staff_import_id>/errors/": obj(),
    "accounts/set-password/<str:uidb64>/<str:token>/": Row(
        PUBLIC, "a new user's own page, by its one-time token"
    ),
    "api/v1/accounts/staff/import/": scoped("manage_users; loads accounts inside the jurisdiction"),
    "api/v1/accounts/staff/deactivate/": scoped("manage_users; accounts inside the jurisdiction"),
    "api/v1/accounts/token/": Row(PUBLIC, "exchanges the caller's own password for a token"),
    "api/v1/accounts/me/": Row(OWN, "the caller's own account"),
    "api/v1/accounts/audit/": scoped("view_audit; events of the jurisdiction"),
    # places: the area tree and its names are not personal data; counts are scoped
    "places/": scoped("the area tree and counts of the jurisdiction"),
    "places/<str:code>/": obj(),
    "api/v1/places/areas/": scoped("area names and codes"),
    "api/v1/places/areas/<str:code>/": obj(),
    "api/v1/places/areas/<str:code>/children.geojson": obj(),
    "api/v1/places/places/": scoped("places (venues) of the jurisdiction"),
    # the first day (issue 21 parts 1, 3, 6): counts only; loads confined to the jurisdiction
    "setup/": scoped("manage_users or approve; counts of what is loaded, no personal data"),
    "setup/areas/": scoped("manage_users; rows outside the jurisdiction are refused"),
    "setup/boundaries/": scoped("manage_users; rows outside the jurisdiction are refused"),
    "setup/places/": scoped("manage_users; rows outside the jurisdiction are refused"),
    "setup/loads/<int:data_load_id>/": obj(),
    "setup/loads/<int:data_load_id>/errors.xlsx": obj(),
    "api/v1/command/setup/status/": scoped("manage_users or approve; counts only"),
    "api/v1/command/setup/loads/": scoped("manage_users; loads of the jurisdiction"),
    "api/v1/command/setup/loads/<int:data_load_id>/": obj(),
    # people
    "people/": scoped("person search, scoped and audited"),
    "people/new/": scoped("edit_person; a village outside the jurisdiction is refused"),
    "people/<int:person_id>/": obj(),
    "people/<int:person_id>/edit/": obj(),
    "people/<int:person_id>/merge/": obj(),
    "people/merges/<int:merge_id>/undo/": obj(),
    "people/<int:person_id>/health-code/override/": obj(),
    "people/health-codes/": scoped("codes of the jurisdiction's persons"),
    "people/health-code/overrides/": scoped("override requests of the jurisdiction"),
    "people/health-code/overrides/<int:override_id>/": obj(),
    "people/register/": scoped("data staff; the loads they made (all of them city-wide)"),
    "people/register/<int:load_id>/": obj(),
    "people/register/<int:load_id>/errors.xlsx": obj(),
    "api/v1/people/": scoped("person search and create, scoped and audited"),
    "api/v1/people/<int:pk>/": obj(),
    "api/v1/people/<int:pk>/source-records/": obj(),
    "api/v1/people/<int:pk>/merge/": obj(),
    "api/v1/people/merges/<int:pk>/undo/": obj(),
    "api/v1/people/health-codes/": scoped("codes of the jurisdiction's persons"),
    "api/v1/people/register/loads/": scoped("data staff; the loads they made"),
    "api/v1/people/register/loads/new/": scoped(
        "data staff; rows outside the jurisdiction refused"
    ),
    "api/v1/people/register/loads/<int:load_id>/": obj(),
    "api/v1/people/register/loads/<int:load_id>/reviews/": obj(),
    "api/v1/people/register/loads/<int:load_id>/reviews/<int:review_id>/": obj(),
    "api/v1/people/register/columns/": scoped("data staff; reads the posted file only"),
    "api/v1/people/<int:pk>/health-code/": obj(),
    "api/v1/people/<int:pk>/health-code/overrides/": obj(),
    "api/v1/people/health-code/overrides/<int:pk>/approve/": obj(),
    "api/v1/people/health-code/overrides/<int:pk>/reject/": obj(),
    # tracing
    "tracing/": scoped("cases of the jurisdiction"),
    "tracing/cases/new/": scoped("edit_person; a person outside the jurisdiction is refused"),
    "tracing/cases/<int:case_id>/": obj(),
    "tracing/cases/<int:case_id>/update/": obj(),
    "tracing/cases/<int:case_id>/trajectory/": obj(),
    "tracing/cases/<int:case_id>/interviews/": obj(),
    "tracing/cases/<int:case_id>/exposures/": obj(),
    "tracing/cases/<int:case_id>/expand/": obj(),
    "tracing/cases/<int:case_id>/complete/": obj(),
    "tracing/cases/<int:case_id>/void/": obj(),
    "tracing/contacts/": scoped("contacts of the jurisdiction, audited"),
    "tracing/contacts/<int:contact_id>/quarantined/": obj(),
    "tracing/contacts/<int:contact_id>/release/": obj(),
    "tracing/graph/": scoped("the transmission graph of the jurisdiction"),
    "tracing/feeds/": scoped("data staff; operators' stay files: names of files, no persons"),
    "tracing/graph.json": scoped("the transmission graph of the jurisdiction"),
    "api/v1/tracing/cases/": scoped("cases of the jurisdiction"),
    "api/v1/tracing/feeds/": scoped(
        "data staff; operators' stay files: names of files, no persons"
    ),
    "api/v1/tracing/feeds/days/": scoped("data staff; counts of stay files by day"),
    "api/v1/tracing/cases/<int:case_id>/": obj(),
    "api/v1/tracing/cases/<int:case_id>/exposures/": obj(),
    "api/v1/tracing/cases/<int:case_id>/trajectory/": obj(),
    "api/v1/tracing/cases/<int:case_id>/expand/": obj(),
    "api/v1/tracing/cases/<int:case_id>/void/": obj(),
    "api/v1/tracing/cases/<int:case_id>/contacts/": obj(),
    "api/v1/tracing/cases/<int:case_id>/graph/": obj(),
    # screening: sources and lists are city-wide records of files received; their
    # rows (records, tasks) are scoped by the area they resolve to
    "screening/": scoped("the screening desk of the jurisdiction"),
    "screening/upload/": scoped("upload a push list"),
    "screening/template.xlsx": scoped("an empty template"),
    "screening/jobs/<int:job_id>/": obj(),
    "screening/lists/<int:list_id>/": scoped("a list's counts; its rows are scoped"),
    "screening/lists/<int:list_id>/errors.xlsx": scoped("the rows that failed, of a list"),
    "screening/sources/new/": scoped("city-wide users only change sources"),
    "screening/sources/<int:source_id>/": scoped("city-wide users only change sources"),
    "screening/sources/<int:source_id>/reply.xlsx": scoped("the reply rows of the jurisdiction"),
    "screening/review/": scoped("records to review, of the jurisdiction"),
    "screening/review/<int:record_id>/": obj(),
    "screening/tasks/": scoped("tasks of the jurisdiction"),
    "screening/tasks/<int:task_id>/": obj(),
    "screening/supervision/": scoped("overdue tasks of the jurisdiction"),
    "screening/campaigns/": scoped("campaigns over the jurisdiction"),
    "screening/campaigns/<int:campaign_id>/": scoped("a campaign's visits, scoped"),
    "screening/campaigns/<int:campaign_id>/households/<int:household_id>/": obj(),
    "api/v1/screening/lists/": scoped("upload a push list"),
    "api/v1/screening/jobs/<int:pk>/": obj(),
    "api/v1/screening/tasks/": scoped("tasks of the jurisdiction"),
    "api/v1/screening/tasks/<int:pk>/outcome/": obj(),
    # testing
    "testing/": scoped("rounds of the jurisdiction"),
    "testing/rounds/<int:round_id>/": obj(),
    "testing/rounds/<int:round_id>/samples/upload/": obj(),
    "testing/scan/": scoped("the scan page"),
    "testing/scan/submit/": scoped("a scan: site and round checked"),
    "testing/results/upload/": scoped("a lab's results file"),
    "testing/pool-size/": scoped("advice on pool sizes, no personal data"),
    "api/v1/testing/scans/": scoped("a scan: site and round checked"),
    "api/v1/testing/tubes/<str:barcode>/": obj(),
    "api/v1/testing/tubes/<str:barcode>/close/": obj(),
    "api/v1/testing/deliveries/": scoped("a delivery: site checked"),
    "api/v1/testing/deliveries/<str:code>/receive/": scoped(
        "a lab receives a batch by its code; the lab's own"
    ),
    "api/v1/testing/results/": scoped("a lab's results"),
    "api/v1/testing/results/file/": scoped("a lab's results file"),
    "api/v1/testing/rounds/": scoped("rounds of the jurisdiction"),
    "api/v1/testing/rounds/<int:round_id>/": obj(),
    "api/v1/testing/rounds/<int:round_id>/coverage/": obj(),
    "api/v1/testing/rounds/<int:round_id>/samples/": obj(),
    "api/v1/testing/rounds/<int:round_id>/samples/file/": obj(),
    "api/v1/testing/rounds/<int:round_id>/due/": obj(),
    "api/v1/testing/rounds/<int:round_id>/exempt/": obj(),
    "api/v1/testing/due/": scoped("scheduled tests of the jurisdiction"),
    "api/v1/testing/pool-size/": scoped("advice on pool sizes, no personal data"),
    "api/v1/figures/": scoped("figures of the jurisdiction"),
    # pickers (issue 16): search boxes over what the user may see
    "accounts/start/": Row(OWN, "sends the user to their role's own work"),
    "people/pick/": scoped("persons of the jurisdiction, by name or number"),
    "places/pick/areas/": scoped("areas of the jurisdiction"),
    "places/pick/places/": scoped("places of the jurisdiction"),
    # the twice-daily report (issue 19): one city-wide snapshot, each reader's cut
    "reports/": scoped("reports, each cut to the reader's jurisdiction"),
    "reports/<int:pk>/": scoped("a report cut to the reader's jurisdiction; none: 403"),
    "reports/<int:pk>/<str:fmt>/": scoped("a report's file, cut the same way"),
    "api/v1/command/reports/": scoped("reports, each cut to the reader's jurisdiction"),
    "api/v1/command/reports/<int:pk>/": scoped("a report cut to the reader's jurisdiction"),
    "api/v1/command/reports/<int:pk>/<str:fmt>/": scoped("a report's file, cut the same way"),
    "api/v1/command/reports/<int:pk>/commentary/": scoped("approve only (the commander)"),
    "screen/": scoped("the big screen: figures of the jurisdiction"),
    "curve/": scoped("the epidemic curve of the jurisdiction (aggregates)"),
    "api/v1/command/curve/": scoped("the epidemic curve of the jurisdiction (aggregates)"),
    "api/v1/command/map/zones/": scoped("zones touching the jurisdiction, no persons"),
    "api/v1/command/map/cases/": scoped("cases of the jurisdiction; names only with view_person"),
    "api/v1/command/map/quarantine-sites/": scoped("sites of the jurisdiction with occupancy"),
    "api/v1/command/map/checkpoints/": scoped("stations of the jurisdiction, the day's flow"),
    "api/v1/command/map/testing-sites/": scoped("sampling sites of the jurisdiction"),
    "api/v1/screening/lists/columns/": scoped("reads a file's header row; no stored data"),
    # quarantine (issue 17)
    "quarantine/": scoped("placements and sites of the jurisdiction"),
    "quarantine/monitoring/": scoped("persons under monitoring in the jurisdiction"),
    "quarantine/driver/": scoped("transfers of the jurisdiction"),
    "quarantine/trips/": scoped("trips to the sites of the jurisdiction"),
    "quarantine/pick/rooms/": scoped(
        "rooms of active sites: no personal data; the planner places across counties"
    ),
    "quarantine/r/": Row(PUBLIC, "the self-report code form: asks for a code, shows nothing"),
    "quarantine/r/<str:token>/": Row(PUBLIC, "a placed person's own page, by its secret token"),
    "quarantine/sites/<int:site_id>/": obj(),
    "quarantine/placements/<int:placement_id>/confirm/": obj(),
    r"quarantine/^placements/(?P<placement_id>[0-9]+)/(?P<kind>notice|certificate)\.pdf$": obj(),
    r"quarantine/^sites/(?P<site_id>[0-9]+)/(?P<kind>notice|certificate)s\.pdf$": obj(),
    "api/v1/quarantine/sites/": scoped("sites of the jurisdiction"),
    "api/v1/quarantine/sites/<int:site_id>/rooms/": obj(),
    "api/v1/quarantine/sites/<int:site_id>/activate/": obj(),
    "api/v1/quarantine/queue/": scoped("persons waiting in the jurisdiction"),
    "api/v1/quarantine/plan/": scoped("a proposal for the jurisdiction's queue"),
    "api/v1/quarantine/placements/": scoped("placements of the jurisdiction"),
    "api/v1/quarantine/placements/place/": scoped("a hand-off and a room, each checked"),
    "api/v1/quarantine/placements/confirm/": scoped("proposals of the jurisdiction"),
    "api/v1/quarantine/placements/<int:placement_id>/move/": obj(),
    "api/v1/quarantine/placements/<int:placement_id>/checks/": obj(),
    "api/v1/quarantine/placements/<int:placement_id>/release/": obj(),
    "api/v1/quarantine/capacity/": scoped("rooms free in the jurisdiction (counts)"),
    "tracing/cases/<int:case_id>/assign/": obj(),
    "tracing/cases/<int:case_id>/source/": obj(),
    "api/v1/tracing/cases/<int:case_id>/assign/": obj(),
    "api/v1/tracing/cases/<int:case_id>/source/": obj(),
    # teams and the control list (issue 23)
    "teams/": scoped("teams of the jurisdiction with their workload"),
    "teams/<int:team_id>/": obj(),
    "teams/control/": scoped("open control tasks of the jurisdiction"),
    "teams/control/<int:handoff_id>/": obj(),
    "api/v1/teams/": scoped("teams of the jurisdiction"),
    "api/v1/teams/<int:team_id>/": obj(),
    "api/v1/teams/<int:team_id>/members/": obj(),
    "api/v1/teams/members/<int:member_id>/trainings/": obj(),
    "api/v1/teams/control/": scoped("open control tasks of the jurisdiction"),
    "api/v1/teams/control/<int:handoff_id>/close/": obj(),
    # cold chain (issue 18 part 4)
    "coldchain/": scoped("batches and stores of the jurisdiction; no personal data"),
    "coldchain/batches/<int:batch_id>/": obj(),
    "coldchain/imports/<int:run_id>/": obj(),
    "coldchain/imports/<int:run_id>/errors.xlsx": obj(),
    "api/v1/coldchain/stores/": scoped("cold stores of the jurisdiction"),
    "api/v1/coldchain/batches/": scoped("batches of the jurisdiction; no personal data"),
    "api/v1/coldchain/batches/<int:batch_id>/": obj(),
    "api/v1/coldchain/batches/<int:batch_id>/documents/": obj(),
    "api/v1/coldchain/batches/<int:batch_id>/release/": obj(),
    "api/v1/coldchain/batches/<int:batch_id>/handlings/": obj(),
    "api/v1/coldchain/batches/<int:batch_id>/distributions/": obj(),
    "api/v1/coldchain/batches/<int:batch_id>/samples/": obj(),
    "api/v1/coldchain/imports/": scoped("a spreadsheet into the user's own stores"),
    # zones (issue 18)
    "zones/": scoped("zones touching the jurisdiction, with head counts"),
    "zones/<int:zone_id>/": obj(),
    "zones/<int:zone_id>/notices/<int:event_id>.pdf": obj(),
    "api/v1/zones/": scoped("zones touching the jurisdiction"),
    "api/v1/zones/risk/": scoped("the tier over an area of the jurisdiction (no personal data)"),
    "api/v1/zones/propose-from-cases/": scoped("cases' places inside the jurisdiction only"),
    "api/v1/zones/<int:zone_id>/": obj(),
    "api/v1/zones/<int:zone_id>/approve/": obj(),
    "api/v1/zones/<int:zone_id>/reject/": obj(),
    "api/v1/zones/<int:zone_id>/step-down/": obj(),
    "api/v1/zones/<int:zone_id>/lift/": obj(),
    # livelihood (issue 20)
    "livelihood/": scoped(
        "supply network, reference prices and flagged prices of the jurisdiction"
    ),
    "livelihood/facilities/<int:facility_id>/": obj(),
    "livelihood/orders/": scoped("sealed homes' orders of the jurisdiction"),
    "livelihood/orders/<int:order_id>/": obj(),
    "livelihood/deliveries/": scoped(
        "edit_operations; orders at gates of the jurisdiction, the volunteer's own"
    ),
    "livelihood/care/": scoped("care lists of the jurisdiction, names masked"),
    "livelihood/care/<int:care_id>/": obj(),
    "livelihood/o/": Row(PUBLIC, "the sealed home's code form: asks for a code, shows nothing"),
    "livelihood/o/<str:token>/": Row(PUBLIC, "a sealed home's own order page, by its secret token"),
    "api/v1/livelihood/facilities/": scoped("facilities of the jurisdiction"),
    "api/v1/livelihood/facilities/<int:facility_id>/prices/": obj(),
    "api/v1/livelihood/prices/": scoped(
        "price checks of the jurisdiction; reference prices city-wide"
    ),
    "api/v1/livelihood/links/": scoped("a household of the jurisdiction, checked"),
    "api/v1/livelihood/orders/": scoped("orders of the jurisdiction"),
    "api/v1/livelihood/orders/<int:order_id>/": obj(),
    "api/v1/livelihood/orders/<int:order_id>/advance/": obj(),
    "api/v1/livelihood/care/": scoped("care lists of the jurisdiction, names masked"),
    "api/v1/livelihood/care/<int:care_id>/follow-ups/": obj(),
    # supervision and directives (issue 19): items of the jurisdiction, names masked
    "supervision/": scoped("overdue items of the jurisdiction; persons' names masked"),
    "supervision/groups/": scoped("groups covering or visiting the jurisdiction; approve sets up"),
    "supervision/groups/<int:pk>/": obj(),
    "supervision/visits/<int:pk>/": obj(),
    "supervision/accountability/": scoped("records of the jurisdiction; approve records"),
    "directives/": scoped("directives of the jurisdiction; approve issues"),
    "directives/<int:pk>/": obj(),
    "directives/<int:pk>/evidence/": obj(),
    "api/v1/command/supervision/ledger/": scoped("overdue items of the jurisdiction, masked"),
    "api/v1/command/supervision/groups/": scoped("groups of the jurisdiction; approve sets up"),
    "api/v1/command/supervision/groups/<int:pk>/visits/": obj(),
    "api/v1/command/supervision/visits/<int:pk>/findings/": obj(),
    "api/v1/command/supervision/findings/<int:pk>/rectify/": obj(),
    "api/v1/command/supervision/accountability/": scoped("records of the jurisdiction"),
    "api/v1/command/directives/": scoped("directives of the jurisdiction; approve issues"),
    "api/v1/command/directives/<int:pk>/": obj(),
    "api/v1/command/directives/<int:pk>/<str:step>/": obj(),
    # the daily meeting (issue 19): the city's meetings, each pack cut to the reader
    "meetings/": scoped("the city's meetings; approve over the city records one"),
    "meetings/<int:pk>/": scoped("a meeting's pack cut to the reader's jurisdiction; none: 403"),
    "meetings/<int:pk>/<str:fmt>/": scoped("the pack's file or print page, cut the same way"),
    "api/v1/command/meetings/": scoped("the city's meetings; approve over the city records one"),
    "api/v1/command/meetings/<int:pk>/": scoped("a meeting's pack cut to the reader"),
    "api/v1/command/meetings/<int:pk>/decisions/": scoped("approve over the decision's area"),
    "api/v1/command/meetings/<int:pk>/<str:fmt>/": scoped("the pack's file, cut the same way"),
    "headquarters/": scoped("headquarters over or within the jurisdiction; approve sets up"),
    "headquarters/<int:pk>/": obj(),
    "api/v1/command/headquarters/": scoped("headquarters over or within the jurisdiction"),
    "api/v1/command/headquarters/<int:pk>/task-forces/<int:task_force_id>/": obj(),
    "api/v1/command/twinnings/": scoped("approve over the county twinned"),
    "plans/": scoped("the emergency plan: headquarters roles only, no personal data"),
    "plans/<int:pk>/": obj("a plan version: headquarters roles only (403 for a county's staff)"),
    "api/v1/command/plans/": scoped("the plan's versions: headquarters roles only"),
    "api/v1/command/plans/<int:pk>/": obj("headquarters roles; edit_operations over the city"),
    "api/v1/command/plans/<int:pk>/approve/": obj("approve over the city"),
    "api/v1/command/plans/<int:pk>/flowcharts/": obj("counts within the reader's jurisdiction"),
    "drills/": scoped("drills: headquarters roles only; the city's approve or manage_users starts"),
    "drills/<slug:name>/": obj("a drill: headquarters roles only (403 for a county's staff)"),
    "api/v1/command/drills/": scoped("drills: headquarters roles only"),
    "api/v1/command/drills/<slug:name>/": obj("headquarters roles; the city's managers delete"),
    "api/v1/command/drills/<slug:name>/stop/": obj("the city's approve or manage_users"),
    # vaccination (issue 20)
    "vaccination/": scoped("coverage counts, sites and imports of the jurisdiction"),
    "vaccination/record/": scoped(
        "edit_operations; sites and persons picked within the jurisdiction"
    ),
    "vaccination/appointments/": scoped("appointments at sites of the jurisdiction"),
    "vaccination/imports/<int:import_id>/": obj(),
    "api/v1/vaccination/coverage/": scoped("counts of the jurisdiction; another area is refused"),
    "api/v1/vaccination/sites/": scoped("sites of the jurisdiction"),
    "api/v1/vaccination/doses/": scoped("a person's doses: the person through get_person_for_user"),
    "api/v1/vaccination/appointments/": scoped("appointments at sites of the jurisdiction"),
    "api/v1/vaccination/imports/": scoped("imports made within the jurisdiction"),
    "api/v1/vaccination/imports/<int:import_id>/": obj(),
    # supplies (issue 20 part 1): stocks carry no personal data
    "supplies/": scoped("holders, stock and requests of the jurisdiction"),
    "api/v1/supplies/holders/": scoped("holders of the jurisdiction"),
    "api/v1/supplies/movements/": scoped("movements of the jurisdiction; holders by name, checked"),
    "api/v1/supplies/peak-use/": scoped("a holder of the jurisdiction, by name"),
    "api/v1/supplies/requests/": scoped("requests of the jurisdiction"),
    "api/v1/supplies/requests/<int:request_id>/approve/": obj(),
    "api/v1/supplies/requests/<int:request_id>/refuse/": obj(),
    "api/v1/supplies/alerts/": scoped("alerts of the jurisdiction"),
    "api/v1/supplies/forecast/": scoped("forecasts of the user's own areas (counts)"),
    # care (issue 20 part 5): hospitals carry no personal data; admissions are the case's area's
    "care/": scoped("hospitals and beds; cases of the jurisdiction, names masked"),
    "care/admissions/<int:admission_id>/": obj(),
    "api/v1/care/hospitals/": scoped(
        "hospitals of the jurisdiction and above it; no personal data"
    ),
    "api/v1/care/wards/": scoped("a ward of a hospital the user sees, by name"),
    "api/v1/care/admissions/": scoped("admissions of the jurisdiction; the person checked"),
    "api/v1/care/admissions/<int:admission_id>/": obj(),
    "api/v1/care/admissions/<int:admission_id>/condition/": obj(),
    "api/v1/care/admissions/<int:admission_id>/observations/": obj(),
    "api/v1/care/admissions/<int:admission_id>/tests/": obj(),
    "api/v1/care/admissions/<int:admission_id>/transfer/": obj(),
    "api/v1/care/admissions/<int:admission_id>/discharge/": obj(),
    "api/v1/care/admissions/<int:admission_id>/check-ins/": obj(),
    "api/v1/care/alerts/": scoped("alerts of admissions of the jurisdiction"),
    "api/v1/care/alerts/<int:alert_id>/close/": obj(),
    # checkpoints and ports (issue 18)
    "checkpoints/": scoped("stations of the jurisdiction and their counts"),
    "checkpoints/check/": scoped("the phone page: the jurisdiction's open stations"),
    "checkpoints/checks/<int:check_id>/": obj(),
    "checkpoints/stations/<int:station_id>/": obj(),
    "checkpoints/days/": scoped("counts of the jurisdiction's checks"),
    "checkpoints/vessels/": scoped("vessels of the jurisdiction's ports"),
    "checkpoints/pick/areas/": scoped("names and codes of areas (an origin): no personal data"),
    "api/v1/checkpoints/stations/": scoped("stations of the jurisdiction"),
    "api/v1/checkpoints/stations/<int:station_id>/": obj(),
    "api/v1/checkpoints/checks/": scoped("checks of the jurisdiction's stations"),
    "api/v1/checkpoints/checks/<int:check_id>/": obj(),
    "api/v1/checkpoints/checks/<int:check_id>/person/": obj(),
    "api/v1/checkpoints/figures/": scoped("counts of the jurisdiction's checks"),
    "api/v1/checkpoints/vessels/": scoped("vessels of the jurisdiction's ports"),
    "api/v1/checkpoints/vessels/<int:vessel_id>/reports/": obj(),
    "api/v1/checkpoints/vessels/<int:vessel_id>/crew-checks/": obj(),
    "api/v1/checkpoints/patrols/": scoped("patrols from the ports of the jurisdiction"),
    # workforce (issue 20 part 2)
    "workforce/": scoped("headcounts of the jurisdiction; no personal data"),
    "workforce/deployments/<int:deployment_id>/end/": obj(),
    "workforce/teams/": scoped("mutual-aid teams of the jurisdiction"),
    "workforce/teams/<int:aid_team_id>/": obj(),
    "workforce/branches/": scoped("party branches of the jurisdiction"),
    "workforce/roster/": scoped("rosters of the jurisdiction; a file into the user's own areas"),
    "workforce/roster/imports/<int:roster_import_id>/errors.xlsx": obj(),
    "api/v1/workforce/deployments/": scoped("headcounts of the jurisdiction"),
    "api/v1/workforce/deployments/<int:deployment_id>/end/": obj(),
    "api/v1/workforce/teams/": scoped("mutual-aid teams of the jurisdiction"),
    "api/v1/workforce/teams/<int:aid_team_id>/step/": obj(),
    "api/v1/workforce/branches/": scoped("party branches of the jurisdiction"),
    "api/v1/workforce/roster/": scoped("rosters of the jurisdiction"),
    "api/v1/workforce/roster/import/": scoped("a file into the user's own areas"),
    # fever clinics and pharmacies (issue 20 part 4)
    "clinics/": scoped("clinics of the jurisdiction and their counts"),
    "clinics/<int:clinic_id>/": obj(),
    "clinics/visits/<int:visit_id>/": obj(),
    "clinics/pharmacies/": scoped(
        "pharmacies of the jurisdiction; reports of them or followed up there"
    ),
    "api/v1/clinics/clinics/": scoped("clinics of the jurisdiction"),
    "api/v1/clinics/clinics/<int:clinic_id>/": obj(),
    "api/v1/clinics/clinics/<int:clinic_id>/rooms/": obj(),
    "api/v1/clinics/clinics/<int:clinic_id>/staff/": obj(),
    "api/v1/clinics/visits/": scoped(
        "visits to clinics of the jurisdiction; a clinic by id, checked"
    ),
    "api/v1/clinics/visits/<int:visit_id>/": obj(),
    "api/v1/clinics/visits/<int:visit_id>/room/": obj(),
    "api/v1/clinics/visits/<int:visit_id>/leave/": obj(),
    "api/v1/clinics/visits/<int:visit_id>/close/": obj(),
    "api/v1/clinics/pharmacies/": scoped("pharmacies of the jurisdiction"),
    "api/v1/clinics/reports/": scoped(
        "reports of the jurisdiction's pharmacies or followed up there"
    ),
    # publicity (issue 19 part 7): no personal data; notices and conferences above are public
    "publicity/": scoped("press conferences of, within and above the jurisdiction"),
    "publicity/notices/": scoped("notices of, within and above the jurisdiction"),
    "publicity/notices/<int:pk>/": obj(),
    "publicity/media/": scoped("the media tally of the jurisdiction"),
    "publicity/opinion/": scoped("public-opinion items of the jurisdiction"),
    "publicity/opinion/<int:pk>/": obj(),
    "api/v1/publicity/conferences/": scoped("press conferences of, within and above"),
    "api/v1/publicity/notices/": scoped("notices of, within and above the jurisdiction"),
    "api/v1/publicity/notices/sources/": scoped("decisions of the jurisdiction not drafted yet"),
    "api/v1/publicity/notices/<int:pk>/<str:step>/": obj(),
    "api/v1/publicity/media/": scoped("the media tally of the jurisdiction"),
    "api/v1/publicity/opinion/": scoped("public-opinion items of the jurisdiction"),
    "api/v1/publicity/opinion/<int:pk>/follow-up/": obj(),
}

# The admin site checks its own permissions (accounts/admin.py); a non-staff user
# gets its log-in page everywhere but there.
ADMIN_PREFIX = "admin/"
ADMIN_PUBLIC = {"admin/login/", "admin/logout/"}


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def url_routes() -> list[str]:
    return list(dict.fromkeys(_walk(get_resolver().url_patterns)))


def openapi_operations() -> list[tuple[str, str]]:
    """(route in Django's spelling, method) of every operation of the schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method in operations:
            found.append((_route_of(path), method.upper()))
    return found


def _route_of(openapi_path: str) -> str:
    """``/api/v1/people/{id}/`` → ``api/v1/people/<int:pk>/`` as the resolver spells it
    (the schema names a primary key ``id``; parameters match by position)."""
    wanted = re.sub(r"\{\w+\}", "<>", openapi_path.lstrip("/"))
    for route in url_routes():
        if re.sub(r"<\w+:\w+>", "<>", route) == wanted:
            return route
    return openapi_path


def test_every_route_and_operation_is_in_the_table(db):
    routes = [r for r in url_routes() if not r.startswith(ADMIN_PREFIX)]
    missing = sorted(set(routes) - set(ROUTES))
    assert not missing, f"routes without a row in ROUTES (add one, reviewed): {missing}"
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, f"rows of ROUTES whose route is gone: {stale}"
    operations = openapi_operations()
    assert len(operations) > 40
    unknown = sorted({route for route, _method in operations} - set(ROUTES))
    assert not unknown, f"OpenAPI operations without a row in ROUTES: {unknown}"


# ----------------------------------------------------------------- county A's objects


def _staff_sheet() -> io.BytesIO:
    """A staff file with one row refused (so the import has an error file)."""
    return io.BytesIO("姓名,手机,角色,管辖范围\n矩阵丙,13955501299,组长,350602\n".encode())


def objects_of_county_a(world: World) -> dict[str, object]:
    """One object of each kind inside 芗城区, through the products' actions, by the
    name of the URL parameter that names it."""
    from zhanyi.accounts.actions import staff as staff_actions
    from zhanyi.people import actions as people_actions
    from zhanyi.people.models import Household, Person
    from zhanyi.screening.models import (
        Campaign,
        ImportJob,
        PushList,
        PushRecord,
        PushSource,
        ScreeningTask,
    )
    from zhanyi.testing.tests.factories import deliver_and_receive, lab, round_, scan, site
    from zhanyi.tracing.models import Contact, ContactKind
    from zhanyi.tracing.tests.factories import at, case

    now = timezone.now()
    marked = Person.objects.create(
        name=MARK_NAME,
        identity_number="350602198503151245",
        phone=f"+86{MARK_PHONE}",
        village=world.village,
        birth_date=dt.date(1985, 3, 15),
    )
    twin = Person.objects.create(name=f"{MARK_NAME}乙", village=world.village)
    merge = people_actions.do_merge_persons(
        acting_user=world.tracer, survivor=twin, merged=marked, reason="matrix"
    )
    people_actions.do_undo_merge(acting_user=world.tracer, merge=merge)
    override = people_actions.do_request_override(
        person=marked,
        colour="green",
        reason="matrix",
        expires_at=now + dt.timedelta(days=1),
        acting_user=world.tracer,
    )
    c = case(world.village)
    contact = Contact.objects.create(
        case=c,
        person=marked,
        area=world.village,
        kind=ContactKind.CLOSE,
        first_exposure_at=at(12),
        last_exposure_at=at(12),
        identified_at=at(14, 22),
        protocol=c.protocol,
    )
    source = PushSource.objects.create(name="矩阵协查", origin_city="莆田市")
    push_list = PushList.objects.create(
        source=source,
        filename="matrix.csv",
        file_hash="0" * 64,
        file_format="csv",
        received_at=now,
    )
    job = ImportJob.objects.create(
        source=source, filename="matrix.csv", path="", created_by=world.tracer
    )
    task = ScreeningTask.objects.create(
        person=marked, area=world.village, category="close", received_at=now, due_at=now
    )
    record = PushRecord.objects.create(
        push_list=push_list,
        source=source,
        row_number=2,
        fingerprint="1" * 64,
        name=MARK_NAME,
        phone=MARK_PHONE,
        category="close",
        received_at=now,
        person=marked,
        decision="review",
        village=world.village,
        task=task,
    )
    household = Household.objects.create(village=world.village, address="矩阵路1号")
    campaign_list = PushList.objects.create(
        source=source,
        filename="campaign",
        file_hash="2" * 64,
        file_format="csv",
        received_at=now,
    )
    campaign = Campaign.objects.create(name="矩阵家家访", started_at=now, push_list=campaign_list)
    campaign.villages.add(world.village)
    from zhanyi.quarantine import actions as quarantine_actions
    from zhanyi.quarantine.tests.factories import site as quarantine_site
    from zhanyi.quarantine.tests.factories import waiting

    qsite = quarantine_site(world.village, name="矩阵隔离点")
    placement = quarantine_actions.do_place(
        waiting(twin), qsite.rooms.order_by("pk").first(), acting_user=world.tracer
    )
    from zhanyi.accounts.models import TaskForceKind
    from zhanyi.handoffs.actions import HandoffSpec, do_create_handoffs
    from zhanyi.handoffs.models import Handoff, HandoffKind
    from zhanyi.teams import actions as team_actions

    team = team_actions.do_create_team(
        acting_user=SYSTEM, name="矩阵五包一", kind="five_to_one", area=world.village
    )
    member = team_actions.do_add_member(
        team, acting_user=SYSTEM, role="medic", name=MARK_NAME, phone=MARK_PHONE
    )
    do_create_handoffs(
        [
            HandoffSpec(
                key=f"matrix.contact:{marked.pk}:control",
                kind=HandoffKind.CONTROL,
                person_id=marked.pk,
                area_id=world.village.pk,
                from_task_force=TaskForceKind.INVESTIGATION,
                to_task_force=TaskForceKind.COMMUNITY,
                origin=f"matrix.contact:{marked.pk}",
                due_at=now + dt.timedelta(hours=2),
            )
        ],
        acting_user=SYSTEM,
    )
    control = Handoff.objects.get(key=f"matrix.contact:{marked.pk}:control")
    from zhanyi.coldchain import actions as coldchain_actions
    from zhanyi.coldchain.tests.factories import batch as coldchain_batch
    from zhanyi.coldchain.tests.factories import store as coldchain_store

    cold = coldchain_batch(coldchain_store(world.village, name="矩阵冷库"), "MATRIXCC")
    coldchain_actions.do_record_handling(
        cold, marked, step="unloading", handled_at=cold.arrived_at, acting_user=SYSTEM
    )
    import_run = coldchain_actions.do_import_batches(
        io.BytesIO(
            "批次号,品名,原产国,重量,冷库,到港日期\nM2,猪肉,巴西,x,矩阵冷库,2021-09-14\n".encode()
        ),
        "matrix.csv",
        acting_user=SYSTEM,
    )
    from zhanyi.zones import actions as zone_actions

    zone = zone_actions.do_propose_zone(
        tier="sealed", name="矩阵封控区", reason="matrix", areas=[world.village], acting_user=SYSTEM
    )
    zone_actions.do_approve_zone(zone, acting_user=SYSTEM)
    from zhanyi.livelihood import actions as livelihood_actions
    from zhanyi.livelihood.models import HomeLink, Order

    shop = livelihood_actions.do_add_facility(
        name="矩阵平价店", kind="affordable_store", area=world.village, acting_user=SYSTEM
    )
    home_link = HomeLink.objects.create(
        household=household,
        area=world.village,
        gate="矩阵东门",
        token="matrix-link",
        code="MTXCODE1",
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    order = Order.objects.create(
        link=home_link,
        household=household,
        area=world.village,
        facility=shop,
        items="米",
        placed_at=now,
        updated_at=now,
    )
    care = livelihood_actions.do_add_care(marked, kind="elderly_alone", acting_user=SYSTEM)
    from zhanyi.vaccination import actions as vaccination_actions
    from zhanyi.vaccination.tests.factories import vaccines as vaccination_vaccines

    vaccination_vaccines()
    dose_export = "姓名,身份证号,生产企业,剂次,接种时间\n"
    dose_export += f"{MARK_NAME},{marked.identity_number},康希诺,1,2021-05-01\n"
    dose_import = vaccination_actions.do_import_doses(
        io.BytesIO(dose_export.encode()), acting_user=world.tracer, filename="matrix.csv"
    )
    from zhanyi.checkpoints import actions as checkpoint_actions

    station = checkpoint_actions.do_create_station(
        acting_user=SYSTEM, name="矩阵卡口", kind="port", area=world.county
    )
    checkpoint = checkpoint_actions.do_record_check(
        station,
        checkpoint_actions.CheckInput(
            client_id=uuid.uuid4(),
            plate="闽E12345",
            people=1,
            code_colour="red",
            origin_area=world.village,
            destination="矩阵",
            person=marked,
        ),
        acting_user=SYSTEM,
    )[0]
    vessel = checkpoint_actions.do_register_vessel(
        acting_user=SYSTEM, registration="闽矩阵渔1", home_port=station
    )
    from zhanyi.supplies import actions as supplies_actions
    from zhanyi.supplies.tests.factories import holder as supplies_holder
    from zhanyi.supplies.tests.factories import item as supplies_item

    supply_request = supplies_actions.do_request_supplies(
        supplies_holder(world.village, name="矩阵医院"),
        supplies_item("masks"),
        10,
        acting_user=SYSTEM,
    )
    from zhanyi.workforce import actions as workforce_actions

    deployment = workforce_actions.do_deploy(
        area=world.village, kind="police", headcount=3, acting_user=SYSTEM
    )
    aid_team = workforce_actions.do_register_team(
        name="矩阵支援队",
        direction="arriving",
        kind="sampling",
        headcount=10,
        counterpart="厦门市",
        area=world.village,
        acting_user=SYSTEM,
    )
    roster = workforce_actions.do_import_roster(
        io.BytesIO(
            f"姓名,手机,类别,区域,日期,班次\n{MARK_NAME},{MARK_PHONE},公安,{world.village.code},2021-09-18,白班\n矩阵,1,外星人,{world.village.code},2021-09-18,白班\n".encode()
        ),
        "matrix.csv",
        acting_user=world.tracer,
    )
    from zhanyi.clinics import actions as clinic_actions

    fever_clinic = clinic_actions.do_create_clinic(
        acting_user=SYSTEM, name="矩阵发热门诊", kind="fever_clinic", area=world.village, rooms=2
    )
    clinic_visit = clinic_actions.do_register_visit(
        fever_clinic, marked, acting_user=SYSTEM, room=fever_clinic.rooms.first()
    )
    clinic_actions.do_add_staff(fever_clinic, marked, role="nurse", acting_user=SYSTEM)
    clinic_actions.do_report_buyer(
        clinic_actions.do_create_pharmacy(acting_user=SYSTEM, name="矩阵药房", area=world.village),
        clinic_actions.Buyer(name=MARK_NAME, phone=MARK_PHONE),
        medicine="fever",
        acting_user=SYSTEM,
    )
    from zhanyi.care import actions as care_actions
    from zhanyi.care.models import Alert as CareAlert
    from zhanyi.care.tests.factories import hospital as care_hospital

    _care_hospital, care_ward = care_hospital(world.city, name="矩阵定点医院")
    admission = care_actions.do_admit(c.person, care_ward, condition="mild", acting_user=SYSTEM)
    care_alert = CareAlert.objects.create(
        admission=admission, kind="fever", raised_at=now, detail="matrix"
    )
    r = round_([world.county])
    s = site(world.village)
    scan("MATRIX01", [marked], site=s, round=r)
    lb = lab(world.county, code="MTXLAB")
    batch = deliver_and_receive(s, lb, ["MATRIX01"])
    from zhanyi.command import actions as command_actions
    from zhanyi.command.actions import drills as drill_actions

    group = command_actions.do_create_group(
        acting_user=SYSTEM, name="矩阵督导组", kind="supervision", area=world.county
    )
    visit = command_actions.do_record_visit(
        group, acting_user=SYSTEM, area=world.village, visited_at=now - dt.timedelta(hours=1)
    )
    finding = command_actions.do_add_finding(
        visit, acting_user=SYSTEM, text="矩阵", rectify_by=now + dt.timedelta(hours=4)
    )
    county_hq = command_actions.do_set_up_headquarters(
        acting_user=SYSTEM, area=world.county, name="矩阵指挥部"
    )
    meeting = command_actions.do_record_meeting(acting_user=SYSTEM, held_at=now)
    plan = command_actions.do_draft_plan_version(
        acting_user=SYSTEM, number=1, title="矩阵预案", effective_on=now.date()
    )
    drill = drill_actions.do_start_drill(acting_user=SYSTEM, name="matrix", scenario="city")
    from zhanyi.publicity import actions as publicity_actions

    notice = publicity_actions.do_draft_notice(
        acting_user=SYSTEM, title="矩阵通告", body="矩阵", area=world.village
    )
    opinion = publicity_actions.do_record_opinion(
        acting_user=SYSTEM,
        summary="矩阵舆情",
        platform="微博",
        area=world.village,
        found_at=now - dt.timedelta(hours=1),
    )
    directive = command_actions.do_issue_directive(
        acting_user=SYSTEM,
        title="矩阵指令",
        area=world.village,
        due_at=now + dt.timedelta(hours=4),
        meeting=meeting,
    )
    from zhanyi.people.models import RegisterLoad, RegisterReview

    register_load = RegisterLoad.objects.create(
        kind="hukou",
        filename="matrix.csv",
        status="done",
        received_by=world.tracer,
        changes=[{"person": marked.pk, "kind": "new", "row": 2, "fields": []}],
    )
    register_review = RegisterReview.objects.create(
        load=register_load,
        row_number=2,
        values={"name": marked.name, "identity_number": marked.identity_number},
        candidates=[marked.pk],
        village=world.village,
    )
    staff_import = staff_actions.do_import_staff(
        _staff_sheet(), "staff.csv", actor=world.admin
    ).record
    from zhanyi.places.actions import do_load_places

    data_load = do_load_places(
        io.BytesIO(
            f"名称,类别,区划代码\n矩阵小学,学校,{world.village.code}\n矩阵,学校,1\n".encode()
        ),
        "matrix.csv",
        acting_user=SYSTEM,
        within=world.county,
    ).load
    return {
        "load_id": register_load.pk,
        "review_id": register_review.pk,
        "pk": world.tracer.pk,  # accounts' users; overridden per route below
        "code": world.county.code,
        "person_id": marked.pk,
        "merge_id": merge.pk,
        "override_id": override.pk,
        "case_id": c.pk,
        "contact_id": contact.pk,
        "job_id": job.pk,
        "list_id": push_list.pk,
        "source_id": source.pk,
        "record_id": record.pk,
        "task_id": task.pk,
        "campaign_id": campaign.pk,
        "household_id": household.pk,
        "round_id": r.pk,
        "barcode": "MATRIX01",
        "fmt": "xlsx",
        "site_id": qsite.pk,
        "placement_id": placement.pk,
        "batch_id": cold.pk,
        "run_id": import_run.pk,
        "zone_id": zone.pk,
        "event_id": zone.events.exclude(notice="").get().pk,
        "import_id": dose_import.pk,
        "request_id": supply_request.pk,
        "station_id": station.pk,
        "check_id": checkpoint.pk,
        "vessel_id": vessel.pk,
        "kind": "notice",
        "delivery": getattr(batch, "code", ""),
        "team_id": team.pk,
        "member_id": member.pk,
        "handoff_id": control.pk,
        "facility_id": shop.pk,
        "order_id": order.pk,
        "care_id": care.pk,
        "deployment_id": deployment.pk,
        "roster_import_id": roster.record.pk,
        "staff_import_id": staff_import.pk,
        "data_load_id": data_load.pk,
        "aid_team_id": aid_team.pk,
        "clinic_id": fever_clinic.pk,
        "visit_id": clinic_visit.pk,
        "admission_id": admission.pk,
        "alert_id": care_alert.pk,
        # ``pk`` in the API names the object of its path
        "api/v1/people/": marked.pk,
        "api/v1/people/merges/": merge.pk,
        "api/v1/people/health-code/overrides/": override.pk,
        "api/v1/screening/jobs/": job.pk,
        "api/v1/screening/tasks/": task.pk,
        "step": "acknowledge",
        "supervision/groups/": group.pk,
        "supervision/visits/": visit.pk,
        "directives/": directive.pk,
        "api/v1/command/supervision/groups/": group.pk,
        "api/v1/command/supervision/visits/": visit.pk,
        "api/v1/command/supervision/findings/": finding.pk,
        "api/v1/command/directives/": directive.pk,
        "meetings/": meeting.pk,
        "publicity/notices/": notice.pk,
        "publicity/opinion/": opinion.pk,
        "api/v1/publicity/notices/": notice.pk,
        "api/v1/publicity/opinion/": opinion.pk,
        "api/v1/command/meetings/": meeting.pk,
        "plans/": plan.pk,
        "name": drill.name,
        "api/v1/command/plans/": plan.pk,
        "headquarters/": county_hq.pk,
        "api/v1/command/headquarters/": county_hq.pk,
        "task_force_id": county_hq.task_forces.first().pk,
    }


def fill(route: str, objects: dict[str, object]) -> str:
    if "(?P<" in route:  # a regular expression: its named groups, its anchors dropped
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(objects[m.group(1)]), route)
        return "/" + url.replace("^", "").replace("$", "").replace("\\", "")

    def value(match: re.Match) -> str:
        name = match.group(2)
        if name == "pk" and not route.startswith("accounts/"):
            prefix = route[: match.start()]
            for key in sorted((k for k in objects if "/" in k), key=len, reverse=True):
                if prefix.startswith(key):
                    return str(objects[key])
        if name == "code" and "deliveries" in route:
            return str(objects["delivery"])
        return str(objects[name])

    return "/" + re.sub(r"<(\w+):(\w+)>", value, route)


REFUSED = {403, 404, 405}


def _refused(response) -> bool:
    if response.status_code in REFUSED or response.status_code == 401:
        return True
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def _leaks(response) -> list[str]:
    body = getattr(response, "content", b"") or b""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    if body[:2] == b"PK":  # a workbook: its sheets are compressed
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    text = body.decode("utf-8", "replace")
    return [m for m in (MARK_NAME, MARK_PHONE, "350602198503151245") if m in text]


def _methods(route: str, operations: dict[str, set[str]]) -> list[str]:
    return sorted(operations.get(route, set())) or ["GET", "POST"]


@pytest.mark.parametrize("persona", ["other_county_staff", "outsider"])
def test_users_outside_county_a_are_refused_its_objects_and_see_none_of_its_data(
    world, client, persona
):
    objects = objects_of_county_a(world)
    user = getattr(world, persona)
    client.raise_request_exception = False  # a 500 is listed with the others
    operations: dict[str, set[str]] = {}
    for route, method in openapi_operations():
        operations.setdefault(route, set()).add(method)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    problems = []
    for route, row in ROUTES.items():
        if row.kind == PUBLIC:
            continue
        url = fill(route, objects)
        for method in _methods(route, operations):
            client.force_login(user)  # the log-out route ends the session
            response = getattr(client, method.lower())(url)
            where = f"{method} {url} ({row.kind})"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif row.kind == OBJECT and not _refused(response):
                problems.append(f"{where}: answered {response.status_code}, not refused")
            elif leaked := _leaks(response):
                problems.append(f"{where}: shows county A's {leaked}")
    for route in url_routes():
        if not route.startswith(ADMIN_PREFIX) or route in ADMIN_PUBLIC:
            continue
        url = "/" + re.sub(r"<(\w+):(\w+)>", "1", route)
        client.force_login(user)
        response = client.get(url)
        if not _refused(response):
            problems.append(f"GET {url} (admin): answered {response.status_code}")
    # Nothing the probes did left a change in county A on the record.
    acts = AuditEvent.objects.filter(
        pk__gt=start, actor=user, area_path__startswith=world.county.path
    ).exclude(action__in=READS)
    problems += [f"audit: {e.action} on {e.object_type} {e.object_id}" for e in acts]
    assert not problems, "\n".join(problems)


# Audit actions that record a read or a refusal, not a change.
READS = {"person.search", "contact.list", "access.denied", "logout"}
