"""The production profile: settings from the environment, `check --deploy` clean, the
site served by gunicorn with static files from WhiteNoise, a health check, JSON logs."""

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from catalyseur.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def test_the_health_check_says_ok_with_the_database_in_use(client, db):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"statut": "ok", "base_de_donnees": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_fails_when_the_database_is_unreachable(client, db, monkeypatch):
    def broken():
        raise RuntimeError("connexion refusée")

    with monkeypatch.context() as patched:  # undone before the test database is torn down
        patched.setattr(connection, "cursor", broken)
        response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["statut"] == "indisponible"


def test_logs_are_one_json_object_per_line():
    record = logging.LogRecord("catalyseur.test", logging.WARNING, __file__, 1, "Import de %s", ("RNA",), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING" and entry["logger"] == "catalyseur.test" and entry["message"] == "Import de RNA"
    assert entry["time"].endswith("+00:00")


def production_environment(tmp_path) -> dict:
    # A clean production environment: nothing from the test run (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE, which a deployment must never have).
    leave_out = ("DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in leave_out}
    env.update({
        "CATALYSEUR_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CATALYSEUR_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "catalyseur.settings",
    })
    return env


def manage(env, *args):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = manage(production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_gunicorn_serves_the_site_as_in_production(tmp_path):
    env = production_environment(tmp_path)
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), "catalyseur.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, _headers, body = get(base + "/sante/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn n'a pas répondu")
        assert status == 200 and json.loads(body) == {"statut": "ok", "base_de_donnees": "sqlite"}

        # Plain HTTP is redirected to HTTPS, except the health check above.
        status, headers, _ = get(base + "/")
        assert status == 301 and headers["Location"].startswith("https://")
        # Behind the TLS proxy: the page, with HSTS and the CSP.
        status, headers, body = get(base + "/", {"X-Forwarded-Proto": "https"})
        assert status == 200 and "Catalyseur" in body.decode()
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        # Static files from WhiteNoise, with a hashed name and a long cache.
        css = next((tmp_path / "static" / "css").glob("catalyseur.*.css")).name
        status, headers, _ = get(f"{base}/static/css/{css}", {"X-Forwarded-Proto": "https"})
        assert status == 200 and "max-age=315360000" in headers["Cache-Control"]
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=10)
    # The request log lines are JSON.
    json_lines = [line for line in errors.splitlines() if line.startswith("{")]
    assert all(json.loads(line)["level"] for line in json_lines)
