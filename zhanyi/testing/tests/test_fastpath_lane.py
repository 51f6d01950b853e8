"""The scan lane (zhanyi.testing.fastpath.lane): plain token scans answered in front of
the general stack, exactly as ScanView answers them; everything else handed on
untouched."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings
from django.core import signals
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.authtoken.models import Token

from zhanyi.core.db import dialect
from zhanyi.core.models import AuditEvent
from zhanyi.testing import actions
from zhanyi.testing.fastpath.lane import MIDDLEWARE_IN_THE_LANE, SCAN_PATH, ScanLane, scan_input
from zhanyi.testing.models import Sample, Tube
from zhanyi.wsgi import application, django_application

from .factories import people, round_, site


class Behind:
    """The application behind the lane: records what reached it."""

    def __init__(self):
        self.bodies: list[bytes] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(environ["wsgi.input"].read(length))
        start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
        return [b"behind"]


def post(
    app,
    body,
    *,
    user=None,
    token=None,
    language="en",
    content_type="application/json",
    query="",
):
    """POST ``body`` (a dict as JSON, or bytes) to the scan path of the WSGI ``app``."""
    if user is not None:
        token = Token.objects.get_or_create(user=user)[0].key
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": SCAN_PATH,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_USER_AGENT": "sampling-phone/1.0",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)),
        "CONTENT_TYPE": content_type,
        "QUERY_STRING": query,
    }
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    if language:
        environ["HTTP_COOKIE"] = f"{settings.LANGUAGE_COOKIE_NAME}={language}"
    answer = {}

    def start_response(status, headers):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    # As Django's test client does: the test's connection (and its
    # transaction) must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(app(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


@pytest.fixture
def scene(world):
    r = round_([world.village])
    s = site(world.village)
    return r, s, people(world.village, 14)


def test_a_plain_token_scan_is_answered_by_the_lane_as_the_view_answers_it(world, scene, api_for):
    r, s, ps = scene
    codes = [actions.qr_payload(p.pk) for p in ps[:3]]
    behind = Behind()
    lane_status, headers, content = post(
        ScanLane(behind),
        {"tube": "LANE0001", "site": s.pk, "round": r.pk, "codes": [*codes, codes[0], "P999999"]},
        user=world.village_member,
    )
    assert behind.bodies == []  # nothing reached the general stack
    view = api_for(world.village_member).post(
        "/api/v1/testing/scans/",
        {"tube": "VIEW0001", "site": s.pk, "round": r.pk, "codes": [*codes, codes[0], "P999999"]},
        format="json",
    )
    # The view refuses the three people the lane has sampled in this round.
    assert lane_status == view.status_code == 201
    lane_body, view_body = json.loads(content), view.json()
    assert lane_body["tube"] == "LANE0001" and lane_body["samples"] == 3
    assert [a["person_id"] for a in lane_body["accepted"]] == [p.pk for p in ps[:3]]
    assert [(x["row"], x["code"]) for x in lane_body["refused"]] == [
        (3, "duplicate"),
        (4, "unknown"),
    ]
    assert [x["code"] for x in view_body["refused"]] == ["already_sampled"] * 4 + ["unknown"]
    assert lane_body.keys() == view_body.keys()
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Language"] == "en"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert int(headers["Content-Length"]) == len(content)
    # Audited as the view audits it, with where the request came from.
    event = AuditEvent.objects.filter(action="testing.scan", object_label__contains="LANE").get()
    assert event.actor == world.village_member
    assert event.ip == "10.1.2.3" and event.user_agent == "sampling-phone/1.0"
    assert event.path == SCAN_PATH and event.area_path == world.village.path
    assert event.detail["accepted"] == [p.pk for p in ps[:3]]


def test_refusals_and_a_full_tube_read_the_same_through_the_lane_and_the_view(
    world, scene, api_for, caplog
):
    r, s, ps = scene
    api = api_for(world.village_member)
    for barcode, first in (("LANE0002", 0), ("VIEW0002", 7)):
        body = {
            "tube": barcode,
            "site": s.pk,
            "round": r.pk,
            "pool_size": 5,
            "codes": [actions.qr_payload(p.pk) for p in ps[first : first + 7]],
        }
        if barcode.startswith("LANE"):
            status, _headers, content = post(ScanLane(Behind()), body, user=world.village_member)
            lane = (status, json.loads(content))
        else:
            res = api.post("/api/v1/testing/scans/", body, format="json")
            view = (res.status_code, res.json())
    assert lane[0] == view[0] == 201
    strip = lambda b: [(x["row"], x["code"], x["message"]) for x in b["refused"]]  # noqa: E731
    assert strip(lane[1]) == strip(view[1]) and len(strip(lane[1])) == 2
    assert lane[1]["closed"] is view[1]["closed"] is True
    # A scan into the closed tube: 400 with the same problems, nothing stored,
    # logged as the general stack logs it.
    again = {"tube": "LANE0002", "codes": [actions.qr_payload(ps[13].pk)]}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        status, _h, content = post(ScanLane(Behind()), again, user=world.village_member)
        lane_logged = [(r.levelname, r.getMessage(), r.status_code) for r in caplog.records]
        caplog.clear()
        res = api.post("/api/v1/testing/scans/", again, format="json")
        view_logged = [(r.levelname, r.getMessage(), r.status_code) for r in caplog.records]
    assert lane_logged == view_logged == [("WARNING", f"Bad Request: {SCAN_PATH}", 400)]
    assert status == res.status_code == 400
    assert json.loads(content) == res.json()
    assert json.loads(content)["problems"][0]["code"] == "closed"
    assert Sample.objects.filter(person=ps[13]).count() == 0


def test_the_lane_speaks_the_users_language_chinese_by_default(world, scene):
    r, s, _ps = scene
    body = {"tube": "LANE0003", "site": s.pk, "round": r.pk, "codes": ["garbage!"]}
    _s, headers, content = post(ScanLane(Behind()), body, user=world.village_member, language="")
    assert headers["Content-Language"] == settings.LANGUAGE_CODE
    message = json.loads(content)["refused"][0]["message"]
    assert (
        message != "Unreadable code: not a health-code QR, an identity number or a person number."
    )
    body["tube"] = "LANE0004"
    _s, headers, content = post(ScanLane(Behind()), body, user=world.village_member)
    assert headers["Content-Language"] == "en"
    assert json.loads(content)["refused"][0]["message"].startswith("Unreadable code")


@pytest.mark.parametrize(
    "case",
    [
        "no_token",
        "unknown_token",
        "not_json",
        "form_encoded",
        "too_many_codes",
        "tube_not_text",
        "null_site",
        "nul_in_code",
        "site_as_text",
    ],
)
def test_what_the_lane_does_not_take_reaches_the_general_stack_untouched(world, scene, case):
    r, s, _ps = scene
    body = {"tube": "LANE0005", "site": s.pk, "round": r.pk, "codes": ["P1"]}
    kwargs = {"user": world.village_member}
    if case == "no_token":
        kwargs = {}
    elif case == "unknown_token":
        kwargs = {"token": "0" * 40}
    elif case == "not_json":
        body = b"{'tube': 'LANE0005'"
    elif case == "form_encoded":
        body = b"tube=LANE0005&codes=P1"
        kwargs["content_type"] = "application/x-www-form-urlencoded"
    elif case == "too_many_codes":
        body["codes"] = ["P1"] * (actions.MAX_SCANS + 1)
    elif case == "tube_not_text":
        body["tube"] = 12345678
    elif case == "null_site":
        body["site"] = None
    elif case == "nul_in_code":
        body["codes"] = ["P\x001"]
    elif case == "site_as_text":
        body["site"] = str(s.pk)
    sent = body if isinstance(body, bytes) else json.dumps(body).encode()
    behind = Behind()
    status, _headers, content = post(ScanLane(behind), body, **kwargs)
    assert (status, content) == (418, b"behind")
    assert behind.bodies == [sent]  # the body as it came
    assert not Tube.objects.exists()


def test_outsiders_get_the_general_stacks_answers_and_nothing_is_written(world, scene):
    r, s, _ps = scene
    body = {"tube": "LANE0006", "site": s.pk, "round": r.pk, "codes": ["P1"]}
    assert post(application, body, token="0" * 40)[0] == 401
    assert post(application, body)[0] == 401
    assert post(application, body, user=world.leader)[0] == 403
    assert post(application, body, user=world.outsider)[0] == 403
    assert post(application, body, user=world.other_county_staff)[0] == 404
    assert post(application, b"{", user=world.village_member)[0] == 400
    # A closed site is no site; a deactivated user's token no longer works.
    s.active = False
    s.save(update_fields=["active"])
    assert post(application, body, user=world.village_member)[0] == 404
    s.active = True
    s.save(update_fields=["active"])
    gone = world.tracer
    token = Token.objects.get_or_create(user=gone)[0].key
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert post(application, body, token=token)[0] == 401
    assert not Tube.objects.exists()
    assert not AuditEvent.objects.filter(action="testing.scan").exists()
    # The composed application answers a plain scan through the lane.
    status, _headers, content = post(application, body, user=world.village_member)
    assert status == 201 and json.loads(content)["opened"] is True


def test_a_lane_scan_costs_a_fixed_handful_of_statements(world, scene):
    r, s, ps = scene
    lane = ScanLane(Behind())
    token = Token.objects.create(user=world.village_member).key
    for n, first in ((1, 0), (10, 1)):
        codes = [actions.qr_payload(p.pk) for p in ps[first : first + n]]
        with CaptureQueriesContext(connection) as queries:
            status, _h, content = post(
                lane,
                {"tube": f"LANE001{n}", "site": s.pk, "round": r.pk, "codes": codes},
                token=token,
            )
        assert status == 201 and json.loads(content)["samples"] == n
        # Token with site and round; tube lock, open, codes; samples, tube and audit
        # record in one statement on PostgreSQL (three elsewhere).
        statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
        assert len(statements) <= (5 if dialect.is_postgresql() else 7), [
            q[:80] for q in statements
        ]


def test_scan_input_mirrors_the_serializer():
    assert scan_input({"tube": "  T0001 ", "codes": [" P1\n", ""]}) == {
        "tube": "T0001",
        "codes": ["P1", ""],
        "purpose": "round",
    }
    assert scan_input({"tube": "T0001", "codes": [], "purpose": "resample", "team": 3}) == {
        "tube": "T0001",
        "codes": [],
        "purpose": "resample",
        "team": 3,
    }
    for bad in (
        [],
        {"codes": []},
        {"tube": "", "codes": []},
        {"tube": "T" * 65, "codes": []},
        {"tube": "T0001", "codes": "P1"},
        {"tube": "T0001", "codes": ["P" * 129]},
        {"tube": "T0001", "codes": [1]},
        {"tube": "T0001", "codes": [], "round": True},
        {"tube": "T0001", "codes": [], "purpose": "party"},
    ):
        assert scan_input(bad) is None, bad


# -- parity: the lane against the general stack (ScanView and the ORM) ----------------------


class Spy:
    """The general stack behind the lane, noting whether a request reached it."""

    def __init__(self, app):
        self.app, self.reached = app, False

    def __call__(self, environ, start_response):
        self.reached = True
        return self.app(environ, start_response)


def _stored() -> dict:
    """What a scan stored, without keys or times (each path takes its own)."""
    tubes = {
        t.barcode: (
            *(t.site_id, t.round_id, t.area_id, t.team_id, t.pool_size, t.purpose, t.status),
            *(t.samples_count, t.sampled_at == t.opened_at, t.closed_at is not None),
        )
        for t in Tube.objects.all()
    }
    samples = sorted(
        (s.tube.barcode, s.person_id, s.round_id, s.purpose, s.handoff_id, s.sampled_at is None)
        for s in Sample.objects.select_related("tube")
    )
    events = [
        (
            *(e.actor_id, e.actor_name, e.actor_path, e.area_path, e.action, e.object_type),
            *(e.object_label, e.detail, e.ip, e.user_agent, e.path),
            Tube.objects.get(pk=e.object_id).barcode,
        )
        for e in AuditEvent.objects.filter(action__startswith="testing.scan").order_by("pk")
    ]
    return {"tubes": tubes, "samples": samples, "events": events}


def _through(app, body, **kwargs):
    """``post`` ``body`` to ``app`` and roll back what it stored: the answer,
    the stored rows and whether the lane handed the request on."""
    spy = Spy(django_application)
    sid = transaction.savepoint()
    status, headers, content = post(app(spy), body, **kwargs)
    stored = _stored()
    transaction.savepoint_rollback(sid)
    if headers.get("Content-Type") == "application/json":
        content = json.loads(content)
    return (status, headers, content, stored), spy.reached


def _lane_and_view(body, **kwargs):
    lane, handed_on = _through(ScanLane, body, **kwargs)
    view, _reached = _through(lambda behind: behind, body, **kwargs)
    return lane, view, handed_on


@pytest.fixture
def town(world):
    """A round and a site in the village, its people, and a tube closed already."""
    r = round_([world.village], pool_size=5)
    s = site(world.village)
    ps = people(world.village, 12)
    closed = actions.do_scan(
        acting_user=world.village_member,
        barcode="DONE0001",
        codes=[actions.qr_payload(p.pk) for p in ps[7:12]],
        site=s,
        round=r,
    )
    assert closed.closed
    actions.do_scan(
        acting_user=world.village_member,
        barcode="OPEN0001",
        codes=[actions.qr_payload(ps[6].pk)],
        site=s,
        round=r,
    )
    return r, s, ps


PARITY_CASES = {
    # name: (the lane answers it itself, how to build the request)
    "a whole new tube": (True, lambda w, r, s, ps: ({"codes": ps[:5]}, {})),
    "a tube filled by half": (True, lambda w, r, s, ps: ({"codes": ps[:2]}, {})),
    "refused codes": (
        True,
        lambda w, r, s, ps: ({"codes": [ps[0], ps[0], "P99999999", "garbage!", ps[8]]}, {}),
    ),
    "one more into an open tube": (
        True,
        lambda w, r, s, ps: ({"tube": "OPEN0001", "codes": [ps[1], ps[6]]}, {}),
    ),
    "a full tube's overflow": (True, lambda w, r, s, ps: ({"codes": ps[:7]}, {})),
    "a closed tube": (True, lambda w, r, s, ps: ({"tube": "DONE0001", "codes": ps[:1]}, {})),
    "a bad barcode": (True, lambda w, r, s, ps: ({"tube": "a b", "codes": ps[:1]}, {})),
    "a re-sampling in a pooled tube": (
        True,
        lambda w, r, s, ps: ({"codes": ps[:1], "purpose": "resample", "pool_size": 5}, {}),
    ),
    "in Chinese": (True, lambda w, r, s, ps: ({"codes": ["garbage!"]}, {"language": ""})),
    "an unknown token": (
        False,
        lambda w, r, s, ps: ({"codes": ps[:1]}, {"token": "0" * 40, "user": None}),
    ),
    "no token": (False, lambda w, r, s, ps: ({"codes": ps[:1]}, {"user": None})),
    "an inactive user": (False, lambda w, r, s, ps: ({"codes": ps[:1]}, {"user": "inactive"})),
    "a user without the right": (
        False,
        lambda w, r, s, ps: ({"codes": ps[:1]}, {"user": w.leader}),
    ),
    "a user of another county": (
        False,
        lambda w, r, s, ps: ({"codes": ps[:1]}, {"user": w.other_county_staff}),
    ),
    "a team of another site": (False, lambda w, r, s, ps: ({"codes": ps[:1], "team": 999999}, {})),
    "a query string": (False, lambda w, r, s, ps: ({"codes": ps[:1]}, {"query": "x=%00"})),
}


@pytest.mark.parametrize("case", list(PARITY_CASES))
def test_the_lane_answers_and_stores_exactly_what_the_view_does(world, town, case):
    r, s, ps = town
    takes_it, build = PARITY_CASES[case]
    fields, kwargs = build(world, r, s, ps)
    body = {"tube": "PAR00001", "site": s.pk, "round": r.pk}
    body |= {
        **fields,
        "codes": [c if isinstance(c, str) else actions.qr_payload(c.pk) for c in fields["codes"]],
    }
    kwargs.setdefault("user", world.village_member)
    if kwargs["user"] == "inactive":
        kwargs["user"] = world.tracer
        world.tracer.is_active = False
        world.tracer.save(update_fields=["is_active"])
    lane, view, handed_on = _lane_and_view(body, **kwargs)
    assert handed_on is not takes_it
    assert lane[0] == view[0]
    assert lane[1] == view[1]  # every header
    assert lane[2] == view[2]
    assert lane[3] == view[3]
    if lane[0] in (200, 201):  # audited, naming the tube
        assert lane[3]["events"][-1][-1] == body["tube"]


def test_the_lane_has_a_word_for_every_middleware_of_the_settings():
    """Adding a middleware to the settings fails here until the lane handles
    it or says why it does not apply (``MIDDLEWARE_IN_THE_LANE``)."""
    assert list(MIDDLEWARE_IN_THE_LANE) == list(settings.MIDDLEWARE)
    for name, how in MIDDLEWARE_IN_THE_LANE.items():
        assert how.startswith(("handled: ", "does not apply: ")), name
    # What the table says of the scan view holds.
    view = resolve(SCAN_PATH).func
    assert view.login_required is False and view.csrf_exempt is True
    assert not SCAN_PATH.startswith(settings.STATIC_URL)
