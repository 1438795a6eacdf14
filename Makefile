# The two commands of the README are `make demo` and `make test`; the rest are habits.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REFERENTIEL ?= niort
PARTICIPANTS ?= 400
PORT ?= 8000
PROD_ENV := PLIE_ENV=prod SECRET_KEY=check-deploy-$$(printf 'x%.0s' $$(seq 1 60))-k3y \
	ALLOWED_HOSTS=plie.example.org SITE_URL=https://plie.example.org \
	DATABASE_URL=postgres://plie:plie@localhost:5432/plie REDIS_URL=redis://localhost:6379/0 \
	EMAIL_HOST=smtp.example.org SMS_BACKEND=console

.PHONY: install chromium demo run test quality bench bench-outbox scan clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ".[dev]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_communes
	$(BIN)/python manage.py load_referentiels --activate $(REFERENTIEL)
	@# The convocations' personal links carry SITE_URL: the same as the server's below.
	SITE_URL="$${SITE_URL:-http://localhost:$(PORT)}" $(BIN)/python manage.py seed_demo --if-empty --participants $(PARTICIPANTS)
	@$(MAKE) --no-print-directory run

# Web + Celery worker + beat (plie/supervisor.py), stopped together with Ctrl-C; the emails' links use
# SITE_URL, http://localhost:$(PORT) unless set.
run: install
	@mkdir -p var
	@echo ""
	@echo "  Plateforme PLIE : http://localhost:$(PORT)/ (Ctrl-C pour arrêter)"
	@echo "  DEBUG $(if $(filter 1 true yes on oui,$(DEBUG)),activé,désactivé : pages d'erreur réelles ; make demo DEBUG=1 pour le mode développeur)"
	@echo ""
	@SITE_URL="$${SITE_URL:-http://localhost:$(PORT)}" $(BIN)/python -m plie.supervisor --port $(PORT) \
		--schedule var/celerybeat-schedule

# Browser journeys run in Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de Chromium (paquet Debian) pour les tests de parcours dans le navigateur…"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/python -m pytest

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# Timings on a throw-away database (10 000 participants by default: BENCH_PARTICIPANTS=…).
bench: install
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} $(BIN)/python benchmarks/run.py

# The outbox alone: 10 000 due SMS through real Celery workers. It needs PostgreSQL and Redis: DATABASE_URL and
# REDIS_URL, by default the machine's own (database plie_bench, created when missing; Redis db 14).
BENCH_PG = postgres://postgres@127.0.0.1:5432/plie_bench
bench-outbox: install
	@[ -n "$$DATABASE_URL" ] || psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'plie_bench'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres plie_bench
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_PG)} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/14} $(BIN)/python benchmarks/outbox.py

# wapiti, logged in, against a throw-away demo (var/scan.sqlite3); fails on any 500. Minutes, not in CI.
scan: install
	$(BIN)/python tests/scan_wapiti.py

clean:
	rm -rf var/plie.sqlite3 var/celery var/celerybeat-schedule*
