from django.core.management import call_command


def test_the_openapi_document_builds_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for tag in ("accounts", "people", "places", "figures"):
        assert f"- {tag}" in text


def test_the_api_docs_page_needs_a_login(world, client, client_for):
    assert client.get("/api/docs/").status_code in (302, 401, 403)
    page = client_for(world.leader).get("/api/docs/")
    assert page.status_code == 200
    assert "swagger" in page.content.decode().lower()
