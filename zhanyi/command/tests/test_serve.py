"""``zhanyi serve`` in production: static files are collected before the app
starts, so WhiteNoise serves them."""

import io
import json
import sys

import waitress

from zhanyi.command.management.commands import serve as serve_command


def test_a_production_start_serves_the_collected_static_files(settings, tmp_path, monkeypatch):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    # A fresh WSGI app, as in a new process.
    monkeypatch.delitem(sys.modules, "zhanyi.wsgi", raising=False)

    serve_command.serve("127.0.0.1", 8123, 2, lambda text: None)

    assert served["port"] == 8123
    assert (tmp_path / "static" / "staticfiles.json").exists()
    status = {}

    def start_response(code, headers, exc_info=None):
        status["code"] = code

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["zhanyi/zhanyi.css"]
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/static/{hashed}",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8123",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "QUERY_STRING": "",
    }
    body = served["app"](environ, start_response)
    assert status["code"].startswith("200")
    assert b"--red" in b"".join(body)
