# Catalyseur: two commands. `make run` serves the site, `make test` runs every test.
# Everything they need is installed by the targets below, from pinned lockfiles.

PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup python-deps node-deps system-libs browser db demo test-postgres lock bench bench-territories bench-practices bench-actors bench-observatory bench-load clean help

help:
	@echo "make run    - installe, migre, importe les territoires, charge la démo, sert http://127.0.0.1:$(PORT)"
	@echo "make test   - installe puis lance toute la suite (navigateur compris)"

run: setup db demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup browser
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Migrations manquantes : lancez manage.py makemigrations" && exit 1)
	$(PY) -m pytest $(PYTEST_ARGS)

setup: python-deps node-deps system-libs

python-deps: $(VENV)/.installed
$(VENV)/.installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

node-deps: node_modules/.installed
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Pango for WeasyPrint (the portrait's PDF report), from Debian when the machine lacks it.
system-libs: python-deps
	@$(PY) -c "import weasyprint" >/dev/null 2>&1 || { \
	  echo "Installation de Pango pour WeasyPrint (paquets Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (paquet Debian)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

db: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_territories
	$(PY) manage.py import_commune_centres
	$(PY) manage.py load_practices
	$(PY) manage.py load_observatory

demo: db
	$(PY) manage.py load_demo

# The suite again on PostgreSQL (DATABASE_URL must point to a server; see .ci/run).
test-postgres: setup browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: bench-territories bench-practices bench-actors bench-observatory

bench-territories: setup
	$(PY) bench/territories.py

bench-practices: setup
	$(PY) bench/practices.py

bench-actors: setup
	$(PY) bench/actors.py

# BENCH_OBSERVATORY_ARGS="--indicators 100 --years 2" for the quick mode (see bench/README.md).
bench-observatory: setup
	$(PY) bench/observatory.py $(BENCH_OBSERVATORY_ARGS)

# The site under load: gunicorn with the production settings on a scratch SQLite database,
# 50 users for 60 s (~2.5 min in all). Not part of `make bench`, which already takes well
# over half an hour. BENCH_LOAD_ARGS="--users 10 --duration 15" for a quick look.
bench-load: setup
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)

# Recompile the Python lockfiles after changing pyproject.toml.
lock: python-deps
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --extra dev -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
