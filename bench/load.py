"""Load test: the site served as in production (gunicorn, CATALYSEUR_PRODUCTION=1, static
files collected for WhiteNoise) on a scratch SQLite database, driven on 127.0.0.1 by
``--users`` concurrent users for ``--duration`` seconds with a realistic mix of pages, a few
of them writes by signed-in members.

    .venv/bin/python bench/load.py                       # 50 users × 60 s (about 2.5 min in all)
    .venv/bin/python bench/load.py --reuse-db var/catalyseur.sqlite3   # skip the imports (~1.5 min in all)
    .venv/bin/python bench/load.py --users 10 --duration 15            # a quick look

Standard library only: one thread and one keep-alive ``http.client`` connection per user,
cookies kept per user. Progress goes to stderr, the table to stdout. The exit code is 1
when any request failed (an exception, a status other than 2xx/3xx, or a write that did
not redirect to its result), 0 otherwise. Timings are never asserted: "met"/"MISSED" is
only printed beside the goal (zero errors, p95 under 300 ms for every page type).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import common
from common import percentile, progress

ROOT = common.ROOT
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

GOAL_P95 = 0.300  # seconds, for every page type
REQUEST_TIMEOUT = 30.0  # seconds, per request (gunicorn's worker timeout is 30 s too)
MEMBER_PASSWORD = "charge-catalyseur-" + secrets.token_hex(8)  # scratch accounts, scratch database
USER_AGENT = "catalyseur-bench-load/1"

# The mix, in shares of all requests (the writes' form page and POST are counted apart).
MIX = [
    ("territory search (HTML)", 8),
    ("territory search (API)", 12),
    ("territory page", 15),
    ("portrait", 15),
    ("practice search (HTML)", 10),
    ("practice search (API)", 8),
    ("map data (API)", 10),
    ("fiche page", 10),
    ("organisation page", 10),
    ("write", 2),  # a form page (GET) then its POST: a project territory or a draft fiche
]
WRITE_TYPES = ("write: new project territory (POST)", "write: draft fiche (POST)")
FORM_TYPE = "write: form page (GET, signed in)"


# --- The scratch site ------------------------------------------------------------------


def base_environment(var_dir: Path) -> dict:
    """The environment of the commands that prepare the scratch database: not production
    (load_demo refuses it), nothing from the caller's shell that would point elsewhere."""
    leave_out = ("DATABASE_URL", "CATALYSEUR_PRODUCTION", "CONN_MAX_AGE", "DEBUG", "DJANGO_SETTINGS_MODULE",
                 "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT", "SECURE_SSL_REDIRECT")
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    env.update({"CATALYSEUR_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "catalyseur.settings",
                "LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def production_environment(var_dir: Path, static_root: Path) -> dict:
    """As catalyseur/tests/test_production.py starts gunicorn: the production settings."""
    env = base_environment(var_dir)
    env.update({"CATALYSEUR_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(60),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "STATIC_ROOT": str(static_root)})
    return env


def manage(env: dict, *args: str, timeout: float = 1800) -> float:
    start = time.perf_counter()
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} a échoué :\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def prepare_database(var_dir: Path, reuse_db: Path | None) -> None:
    env = base_environment(var_dir)
    database = var_dir / "catalyseur.sqlite3"
    if reuse_db:
        progress(f"copy of {reuse_db} (SQLite backup API) into {database}")
        source = sqlite3.connect(f"file:{reuse_db}?mode=ro", uri=True)
        target = sqlite3.connect(database)
        with target:
            source.backup(target)
        source.close(), target.close()
        steps = [("migrate", "--noinput"), ("load_demo",)]
    else:
        # The order of `make run` (db, then demo).
        steps = [("migrate", "--noinput"), ("import_territories",), ("import_commune_centres",), ("load_practices",),
                 ("load_observatory",), ("load_demo",)]
    for step in steps:
        progress(f"manage.py {' '.join(step)}")
        seconds = manage(env, *step)
        progress(f"  {seconds:.1f} s")


def create_members(var_dir: Path, count: int) -> list[str]:
    """``count`` member accounts (demo-labelled) in the scratch database. One password hash
    for all of them: hashing is what signing in costs, not what creating the accounts costs."""
    emails = [f"charge-{i:03d}@bench.catalyseur.localhost" for i in range(count)]
    code = f"""
import django; django.setup()
from accounts.models import Role, User
from django.contrib.auth.hashers import make_password
hashed = make_password({MEMBER_PASSWORD!r})
for i, email in enumerate({emails!r}):
    User.objects.update_or_create(email=email, defaults={{"display_name": f"Membre de charge {{i}} (démo)",
                                  "role": Role.MEMBER, "is_demo": True, "password": hashed}})
"""
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=base_environment(var_dir), capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"création des comptes de charge impossible :\n{result.stderr[-3000:]}")
    return emails


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    server = subprocess.Popen(
        [GUNICORN, "catalyseur.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn s'est arrêté (code {server.returncode}) :\n{log_path.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/sante/", headers={"User-Agent": USER_AGENT})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and b'"ok"' in body:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(server)
    sys.exit(f"gunicorn n'a pas répondu à /sante/ en 60 s :\n{log_path.read_text()[-3000:]}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the arbiter stops its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
        server.wait(timeout=10)


# --- What to ask for: real data from the scratch database, read before the load ----------

# The territory pages' weights of bench/territories.py.
LEVEL_WEIGHTS = {"region": 5, "departement": 10, "epci": 20, "commune": 65}
PORTRAIT_WEIGHTS = {"region": 10, "departement": 15, "epci": 20, "commune": 50, "project": 5}
STOP_WORDS = set("""avec dans pour plus entre leur leurs sont cette ces des les une aux par sur qui que
est ont été être faire fait tous toutes tout ainsi autour afin depuis chaque elles ils nous vous
mais donc comme sans sous vers chez""".split())


@dataclass
class Data:
    territories: dict[str, list[tuple[str, str, float]]]  # level → (code, name, weight)
    projects: list[str]
    practice_words: list[str]
    domains: list[str]
    domain_ids: list[int]  # the fiche form's checkboxes carry the primary key
    partnership_types: list[str]
    fiches: list[str]
    organisations: list[str]
    map_views: list[str]  # query strings of /api/map
    communes_by_departement: dict[str, list[str]]


def read_data(database: Path) -> Data:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    territories = {}
    for level in LEVEL_WEIGHTS:
        rows = db.execute("SELECT code, name, coalesce(population, 0) FROM territories_territory "
                          "WHERE level = ? AND is_obsolete = 0", [level]).fetchall()
        # Visitors favour the larger communes: weight by the square root of the population.
        territories[level] = [(c, n, math.sqrt(p) + 1 if level == "commune" else 1.0) for c, n, p in rows]
    projects = [c for (c,) in db.execute("SELECT code FROM territories_territory WHERE level = 'project' AND is_private = 0")]
    texts = " ".join(t + " " + s for t, s in db.execute("SELECT title, summary FROM practices_casestudy WHERE status = 'published'"))
    words = sorted({w for w in re.findall(r"[a-zà-ÿœ]{5,}", texts.lower()) if w not in STOP_WORDS})
    domains = [c for (c,) in db.execute("SELECT code FROM taxonomy_domain")]
    domain_ids = [i for (i,) in db.execute("SELECT id FROM taxonomy_domain")]
    types = [c for (c,) in db.execute("SELECT code FROM taxonomy_partnershiptype")]
    fiches = [s for (s,) in db.execute("SELECT slug FROM practices_casestudy WHERE status = 'published'")]
    organisations = [s for (s,) in db.execute("SELECT slug FROM actors_organization")]
    # The map as map.js asks for it: the territory's communes fitted in the pane (bbox), at
    # the zoom Leaflet's fitBounds would pick for a région (7) or a département (9).
    map_views = []
    for level, zoom in (("region", 7), ("departement", 9)):
        for code, west, south, east, north in db.execute(
            "SELECT a.code, min(t.longitude), min(t.latitude), max(t.longitude), max(t.latitude) "
            "FROM territories_territory a JOIN territories_territorylink l ON l.ancestor_id = a.id "
            "JOIN territories_territory t ON t.id = l.descendant_id "
            "WHERE a.level = ? AND a.is_obsolete = 0 AND t.level = 'commune' AND t.latitude IS NOT NULL "
            "GROUP BY a.code", [level]):
            bbox = ",".join(f"{v:.5f}" for v in (west - 0.1, south - 0.1, east + 0.1, north + 0.1))
            map_views.append(urllib.parse.urlencode({"territory": f"{level}/{code}", "zoom": zoom, "bbox": bbox}))
    communes_by_departement = defaultdict(list)
    for dep, commune in db.execute(
        "SELECT a.code, t.code FROM territories_territory a JOIN territories_territorylink l ON l.ancestor_id = a.id "
        "JOIN territories_territory t ON t.id = l.descendant_id "
        "WHERE a.level = 'departement' AND t.level = 'commune' AND t.is_obsolete = 0"):
        communes_by_departement[dep].append(commune)
    db.close()
    missing = [name for name, values in (("fiches publiées", fiches), ("organisations", organisations), ("domaines", domains),
                                         ("mots des fiches", words), ("vues de carte", map_views), ("territoires de projet", projects))
               if not values]
    if missing:
        sys.exit(f"base de travail incomplète, il manque : {', '.join(missing)}")
    return Data(territories, projects, words, domains, domain_ids, types, fiches, organisations, map_views, dict(communes_by_departement))


# --- One user: a keep-alive connection and its cookies ---------------------------------


@dataclass
class Sample:
    kind: str
    seconds: float
    ok: bool
    detail: str = ""


class Client:
    """One browser: a keep-alive HTTP connection (reopened when the server closes it, which
    gunicorn's sync workers do after every response) and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"  # what the browser sees behind the TLS proxy
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}

    def close(self):
        self.conn.close()

    def request(self, method: str, path: str, form: dict | None = None, referer: str = "") -> tuple[int, dict, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": USER_AGENT, "X-Forwarded-Proto": "https",
                   "Accept": "text/html,application/json;q=0.9,*/*;q=0.8", "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": self.origin + (referer or path)})
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the kept-alive connection between two requests: a browser
                # opens a new one and sends again.
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: bytes) -> str:
    found = CSRF_FIELD.search(html)
    if not found:
        raise ValueError("pas de jeton CSRF dans le formulaire")
    return found.group(1).decode()


def sign_in(client: Client, email: str) -> None:
    status, _, html = client.request("GET", "/compte/connexion/")
    if status != 200:
        raise RuntimeError(f"page de connexion : {status}")
    status, headers, _ = client.request("POST", "/compte/connexion/", {
        "csrfmiddlewaretoken": csrf_token(html), "username": email, "password": MEMBER_PASSWORD})
    if status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"connexion de {email} refusée : {status}")


# --- The mix ---------------------------------------------------------------------------


class Mix:
    def __init__(self, data: Data):
        self.data = data
        self.kinds = [k for k, _ in MIX]
        self.kind_weights = [w for _, w in MIX]
        self.by_level = {}
        for level, rows in data.territories.items():
            self.by_level[level] = ([(c, n) for c, n, _ in rows], [w for _, _, w in rows])

    def territory(self, rng, weights=LEVEL_WEIGHTS) -> tuple[str, str, str]:
        level = rng.choices(list(weights), list(weights.values()))[0]
        if level == "project":
            return level, rng.choice(self.data.projects), ""
        rows, w = self.by_level[level]
        code, name = rng.choices(rows, w)[0]
        return level, code, name

    def search_text(self, rng) -> str:
        _, _, name = self.territory(rng)
        if rng.random() < 0.15:
            return name  # the whole name
        return name[: rng.randint(3, 6)].strip()  # a typed prefix

    def practice_query(self, rng, api: bool) -> str:
        params = []
        draw = rng.random()
        if draw < 0.6:
            params.append(("q", rng.choice(self.data.practice_words)))
        elif draw < 0.8:
            params.append(("q", " ".join(rng.sample(self.data.practice_words, 2))))
        if rng.random() < 0.6:
            params.append(("domain" if api else "domaine", rng.choice(self.data.domains)))
        if rng.random() < 0.2 and self.data.partnership_types:
            params.append(("type", rng.choice(self.data.partnership_types)))
        if rng.random() < 0.1:
            level, code, _ = self.territory(rng, {"region": 1, "departement": 1})
            params.append(("territory" if api else "territoire", f"{level}/{code}"))
        return urllib.parse.urlencode(params)

    def url(self, kind: str, rng) -> str:
        d = self.data
        if kind == "territory search (HTML)":
            return "/territoires/?" + urllib.parse.urlencode({"q": self.search_text(rng)})
        if kind == "territory search (API)":
            return "/api/territories?" + urllib.parse.urlencode({"q": self.search_text(rng)})
        if kind == "territory page":
            level, code, _ = self.territory(rng)
            return f"/territoires/{level}/{urllib.parse.quote(code)}/"
        if kind == "portrait":
            level, code, _ = self.territory(rng, PORTRAIT_WEIGHTS)
            return f"/territoires/{level}/{urllib.parse.quote(code)}/portrait/"
        if kind == "practice search (HTML)":
            return "/pratiques/?" + self.practice_query(rng, api=False)
        if kind == "practice search (API)":
            return "/api/practices?" + self.practice_query(rng, api=True)
        if kind == "map data (API)":
            return "/api/map?" + rng.choice(d.map_views)
        if kind == "fiche page":
            return f"/pratiques/{rng.choice(d.fiches)}/"
        if kind == "organisation page":
            return f"/acteurs/organisations/{rng.choice(d.organisations)}/"
        raise ValueError(kind)


def timed_request(client: Client, kind: str, method: str, path: str, form=None, referer="", check=None) -> tuple[Sample, bytes]:
    start = time.perf_counter()
    try:
        status, headers, body = client.request(method, path, form, referer)
    except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the user
        return Sample(kind, time.perf_counter() - start, False, f"{method} {path}: {type(error).__name__}: {error}"), b""
    seconds = time.perf_counter() - start
    ok = 200 <= status < 400
    detail = f"{method} {path}: {status}"
    if ok and check is not None:
        ok, why = check(status, headers, body)
        detail += f" {why}"
    return Sample(kind, seconds, ok, detail if not ok else ""), body


def redirected_away(status, headers, body):
    """A write succeeded when it redirects to its result: a 200 is the form again, with errors."""
    location = headers.get("location", "")
    if status in (302, 303) and "/compte/connexion/" not in location:
        return True, ""
    errors = re.findall(rb'class="field-errors"[^>]*>(.*?)</div>', body, re.S)
    why = location or b" | ".join(errors).decode(errors="replace")[:300] or "formulaire réaffiché"
    return False, f"(pas de redirection : {why})"


def write(client: Client, rng, data: Data, serial: int) -> list[Sample]:
    if rng.random() < 0.5:
        kind, path = WRITE_TYPES[0], "/territoires/projet/nouveau/"
        departement = rng.choice(sorted(data.communes_by_departement))
        communes = rng.sample(data.communes_by_departement[departement], min(len(data.communes_by_departement[departement]), rng.randint(2, 6)))
        form = {"name": f"Projet de charge {serial}", "description": "Territoire de projet créé par bench/load.py.",
                "membres": "\n".join(communes)}
        if rng.random() < 0.3:
            form["is_private"] = "on"
    else:
        kind, path = WRITE_TYPES[1], "/pratiques/contribuer/"
        word = rng.choice(data.practice_words)
        form = {"title": f"Brouillon de charge {serial} : {word}", "action": "draft",
                "summary": f"Fiche brouillon écrite par bench/load.py autour de « {word} ».",
                "objet": f"<p>Une démarche de {word} entre plusieurs partenaires du territoire.</p>",
                "domains": [str(rng.choice(data.domain_ids))]}
    page, html = timed_request(client, FORM_TYPE, "GET", path)
    if not page.ok:
        return [page]
    try:
        form["csrfmiddlewaretoken"] = csrf_token(html)
    except ValueError as error:
        return [Sample(FORM_TYPE, page.seconds, False, f"GET {path}: {error}")]
    post, _ = timed_request(client, kind, "POST", path, form, referer=path, check=redirected_away)
    return [page, post]


# --- The run ---------------------------------------------------------------------------


@dataclass
class Shared:
    deadline: float
    max_requests: int
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0
    capped: bool = False  # stopped by max_requests before the deadline

    def take(self, n=1) -> bool:
        with self.lock:
            if time.monotonic() >= self.deadline:
                return False
            if self.count + n > self.max_requests:
                self.capped = True
                return False
            self.count += n
            self.serial += 1
            return True


def user_loop(index: int, client: Client, mix: Mix, shared: Shared, think: float, member: bool,
              write_share: float, seed: int, samples: list[Sample]) -> None:
    rng = random.Random(seed * 1000 + index)
    kinds = [k for k in mix.kinds if k != "write"]
    weights = [w for k, w in zip(mix.kinds, mix.kind_weights) if k != "write"]
    if think:
        time.sleep(rng.uniform(0, think))  # users do not all arrive in the same millisecond
    while True:
        if member and rng.random() < write_share:
            if not shared.take(2):
                break
            samples.extend(write(client, rng, mix.data, shared.serial))
        else:
            if not shared.take():
                break
            kind = rng.choices(kinds, weights)[0]
            sample, _ = timed_request(client, kind, "GET", mix.url(kind, rng))
            samples.append(sample)
        if think:
            pause = min(rng.expovariate(1 / think), 5 * think)
            if time.monotonic() + pause >= shared.deadline:
                break
            time.sleep(pause)
    client.close()


def run_parallel(jobs, threads: int) -> list:
    """Run callables ``jobs`` on ``threads`` threads; their results, in order."""
    results = [None] * len(jobs)
    failures: list[BaseException] = []
    position = iter(range(len(jobs)))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = next(position, None)
            if i is None:
                return
            try:
                results[i] = jobs[i]()
            except Exception as error:  # noqa: BLE001 - raised again below, in the caller's thread
                failures.append(error)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if failures:
        raise failures[0]
    return results


def warm_up(port: int, mix: Mix, workers: int, seed: int) -> dict[str, list[float]]:
    """Each gunicorn worker computes, on its first portrait of a level, the level's peers'
    space (observatory/cache.py, per process). Rounds of ``workers`` concurrent
    portraits of one level (sync workers take one request at a time, so a slow cold one holds
    its worker and the others go elsewhere), until a round is all fast. The first round's
    times are the cold portraits. Then every other page type, ``2 × workers`` times."""
    rng = random.Random(seed)
    cold: dict[str, list[float]] = {}
    def fetch(path, kind="portrait"):
        def job():
            client = Client(port)
            sample, _ = timed_request(client, kind, "GET", path)
            client.close()
            return sample
        return job

    for level in PORTRAIT_WEIGHTS:
        for round_ in range(10):
            paths = []
            for _ in range(workers):
                _, code, _ = mix.territory(rng, {level: 1})
                paths.append(f"/territoires/{level}/{urllib.parse.quote(code)}/portrait/")
            samples = run_parallel([fetch(p) for p in paths], workers)
            failed = [s.detail for s in samples if not s.ok]
            if failed:
                progress(f"warm-up: portrait {level} failed: {failed[:3]}")
            slowest = max(s.seconds for s in samples)
            if round_ == 0:
                cold[level] = [s.seconds for s in samples]
            elif slowest < 0.5 * max(cold[level]) or slowest < 0.15:
                break
        progress(f"warm-up: portraits of {level}: cold max {max(cold[level]) * 1000:.0f} ms, warm after {round_ + 1} round(s)")
    for kind in mix.kinds:
        if kind != "write":
            run_parallel([fetch(mix.url(kind, rng), kind) for _ in range(2 * workers)], workers)
    return cold


def report(samples: list[Sample], elapsed: float, cold: dict[str, list[float]], args, workers: int,
           load_at_start, load_before, load_after, log_problems: list[str]) -> int:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    order = [k for k, _ in MIX if k != "write"] + [FORM_TYPE, *WRITE_TYPES]
    header = ("page type", "requests", "req/s", "p50", "p95", "max", "errors", "goal: 0 errors, p95 < 300 ms")
    rows = []

    def row(label, group):
        times = [s.seconds for s in group]
        errors = sum(not s.ok for s in group)
        if not times:
            return (label, "0", "", "", "", "", "", "no request")
        p95_ = percentile(times, 95)
        verdict = "met" if errors == 0 and p95_ < GOAL_P95 else "MISSED"
        return (label, str(len(times)), f"{len(times) / elapsed:.1f}", f"{percentile(times, 50) * 1000:.0f} ms",
                f"{p95_ * 1000:.0f} ms", f"{max(times) * 1000:.0f} ms", str(errors), verdict)

    for kind in order:
        rows.append(row(kind, by_kind.get(kind, [])))
    rows.append(row("all requests", samples))
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.rjust(widths[i]) if i in (1, 2, 3, 4, 5, 6) else c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"bench/load.py: {args.users} users × {args.duration} s, think time {args.think} s (mean), "
          f"{args.members} signed-in members, gunicorn {workers} sync workers, {cores} cores, SQLite "
          f"({'copy of ' + str(args.reuse_db) if args.reuse_db else 'fresh scratch database'})")
    def loads(values):
        return " ".join(f"{v:.2f}" for v in values)
    print(f"load average (1, 5, 15 min) when the script started: {loads(load_at_start)}; "
          f"when the load started (after this script's imports): {loads(load_before)}; at its end: {loads(load_after)}")
    print(f"measured for {elapsed:.1f} s after the warm-up; {len(samples)} requests, {len(samples) / elapsed:.1f} req/s; "
          f"this load generator used {getattr(args, 'client_cpu', 0) * 100:.0f} % of a core meanwhile")
    print()
    print(line(header))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for r in rows[:-1]:
        print(line(r))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    print(line(rows[-1]))
    print()
    print("Cold portraits (warm-up, first round: one request per worker per level, before the load; not in the table above)")
    for level, times in cold.items():
        print(f"  {level:<12} n={len(times):<3} p50 {percentile(times, 50) * 1000:.0f} ms   max {max(times) * 1000:.0f} ms")
    failures = [s for s in samples if not s.ok]
    if failures:
        print()
        print(f"Errors ({len(failures)}; the first 20):")
        for s in failures[:20]:
            print(f"  [{s.kind}] {s.detail}")
    if log_problems:
        print()
        print(f"gunicorn log: {len(log_problems)} line(s) of errors or warnings (the first 10):")
        for problem in log_problems[:10]:
            print(f"  {problem[:300]}")
    return 1 if failures else 0


def bounded(low, high, kind=int):
    def parse(text):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"entre {low} et {high}")
        return value
    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=bounded(1, 500), default=50, help="concurrent users (1 to 500; default 50)")
    parser.add_argument("--duration", type=bounded(1, 600, float), default=60.0, help="seconds of measured load (1 to 600; default 60)")
    parser.add_argument("--max-requests", type=bounded(1, 1_000_000), default=200_000, help="stop after this many requests (default 200,000)")
    parser.add_argument("--think", type=bounded(0, 60, float), default=1.0,
                        help="mean pause of a user between two requests, in seconds (exponential; 0 = none, a stress test; default 1)")
    parser.add_argument("--members", type=bounded(0, 500), default=10,
                        help="how many of the users are signed-in members, who make the writes (default 10)")
    parser.add_argument("--write-share", type=bounded(0, 0.5, float), default=0.02, help="share of all requests that are writes (default 0.02)")
    parser.add_argument("--workers", type=bounded(1, 64), default=None, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--reuse-db", type=Path, default=None,
                        help="copy this SQLite database (e.g. var/catalyseur.sqlite3) instead of importing everything (then migrate, load_demo)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (database, gunicorn log) and say where")
    args = parser.parse_args()
    args.load_at_start = os.getloadavg()  # the other work on the machine, before this script adds its own
    args.members = min(args.members, args.users)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = args.workers or 2 * cores + 1
    if args.reuse_db and not args.reuse_db.is_file():
        parser.error(f"--reuse-db : {args.reuse_db} introuvable")
    if not Path(GUNICORN).exists():
        parser.error(f"{GUNICORN} introuvable : lancez d'abord make setup")

    scratch = Path(tempfile.mkdtemp(prefix="catalyseur-load-"))
    started = time.perf_counter()
    try:
        return run(args, workers, scratch)
    finally:
        progress(f"done in {time.perf_counter() - started:.0f} s")
        if args.keep:
            progress(f"scratch directory kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run(args, workers: int, scratch: Path) -> int:
    var_dir, static_root, log_path = scratch / "var", scratch / "static", scratch / "gunicorn.log"
    var_dir.mkdir()
    prepare_database(var_dir, args.reuse_db.resolve() if args.reuse_db else None)
    emails = create_members(var_dir, args.members)
    data = read_data(var_dir / "catalyseur.sqlite3")
    env = production_environment(var_dir, static_root)
    progress("manage.py collectstatic (production settings)")
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    progress(f"gunicorn on 127.0.0.1:{port}, {workers} workers")
    server = start_gunicorn(env, port, workers, log_path)
    try:
        mix = Mix(data)
        clients = [Client(port) for _ in range(args.users)]
        if args.members:
            progress(f"{args.members} members sign in (login form, CSRF token)")
            run_parallel([lambda c=c, e=e: sign_in(c, e) for c, e in zip(clients, emails)], min(args.members, workers))
        progress("warm-up")
        cold = warm_up(port, mix, workers, args.seed)

        # The members write often enough for writes to be write_share of all requests.
        write_share = min(0.5, args.write_share * args.users / args.members) if args.members else 0.0
        load_before = os.getloadavg()
        cpu_before = time.process_time()
        shared = Shared(deadline=time.monotonic() + args.duration, max_requests=args.max_requests)
        per_user: list[list[Sample]] = [[] for _ in range(args.users)]
        threads = [threading.Thread(target=user_loop, daemon=True,
                                    args=(i, clients[i], mix, shared, args.think, i < args.members, write_share, args.seed, per_user[i]))
                   for i in range(args.users)]
        progress(f"load: {args.users} users for {args.duration:.0f} s")
        begin = time.monotonic()
        for t in threads:
            t.start()
        hard_stop = begin + args.duration + REQUEST_TIMEOUT + 5
        next_note = begin + 10
        while any(t.is_alive() for t in threads) and time.monotonic() < hard_stop:
            time.sleep(0.2)
            if time.monotonic() >= next_note:
                next_note += 10
                done = [x for user in per_user for x in list(user)]
                progress(f"  {time.monotonic() - begin:.0f} s: {len(done)} requests, {sum(not x.ok for x in done)} errors")
        # The measured window is the duration, unless --max-requests ended it sooner.
        elapsed = min(time.monotonic() - begin, args.duration) if shared.capped else args.duration
        load_after = os.getloadavg()
        args.client_cpu = (time.process_time() - cpu_before) / (time.monotonic() - begin)
        samples = [s for user in per_user for s in list(user)]
        stragglers = sum(t.is_alive() for t in threads)
        if stragglers:
            samples.append(Sample("all requests", REQUEST_TIMEOUT, False, f"{stragglers} user(s) still waiting at the hard stop"))
    finally:
        progress("stopping gunicorn")
        stop_gunicorn(server)
    log_problems = [line for line in log_path.read_text(errors="replace").splitlines()
                    if re.search(r'"level": "(ERROR|CRITICAL|WARNING)"|\[(ERROR|CRITICAL|WARNING)\]|Traceback', line)]
    return report(samples, elapsed, cold, args, workers, args.load_at_start, load_before, load_after, log_problems)

if __name__ == "__main__":
    sys.exit(main())
