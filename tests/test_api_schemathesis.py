"""The API probed from its own OpenAPI schema, as every persona: no 500, ever.

schemathesis generates requests for each operation of the schema drf-spectacular
builds (valid and invalid parameters, bodies, ids); each request goes to the
Django application in-process (WSGI) as each persona of ``build_world`` — the
commander, a tracer, a five-to-one member, a leader, an administrator, a user
without a role and the staff of another county — and anonymously: the first
request of an operation as all of them, the next ones in turn. Any answer may
be a refusal (400, 401, 403, 404, 405, 409, 413, 429); none may be a server
error. The examples per operation are few (CI runs on 2 cores); a failure
prints the request that reproduces it.

It spans every app (the whole API), so it lives in the top-level tests/.
"""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import settings
from rest_framework.authtoken.models import Token

PERSONAS = (
    "commander",
    "tracer",
    "village_member",
    "leader",
    "admin",
    "outsider",
    "other_county_staff",
)
EXAMPLES_PER_OPERATION = 5
_turns: dict[str, itertools.count] = {}


def _schema_dict() -> dict:
    """The schema as the API serves it at /api/schema/, as plain JSON types."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))


schema = schemathesis.openapi.from_dict(_schema_dict())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """A WSGI request ends by closing a connection that is inside a transaction;
    the test's transaction (rolled back after the test) must outlive it, as
    Django's own test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world) -> dict[str, str]:
    return {
        name: Token.objects.get_or_create(user=getattr(world, name))[0].key for name in PERSONAS
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION)
def test_no_request_of_any_persona_is_a_server_error(case, tokens):
    # The first example of an operation goes out as every persona; the next ones
    # as one persona each, in turn (hypothesis may stop early on an operation
    # with few inputs, so every persona is sure of one request).
    turn = next(_turns.setdefault(case.operation.label, itertools.count()))
    everyone = (*PERSONAS, None)
    for name in everyone if turn == 0 else (everyone[turn % len(everyone)],):
        headers = {"Authorization": f"Token {tokens[name]}"} if name else {}
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{name or 'anonymous'}: {case.method} {case.formatted_path} → "
            f"{response.status_code}\n{case.as_curl_command(headers=headers)}"
        )
