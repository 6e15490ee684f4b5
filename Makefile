# Two commands matter: `make run` (serve the demo) and `make test` (the whole suite).
# Both work on a fresh clone with only Python 3.11, Node.js and npm installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STATIC := marketplace/static
GOVUK := node_modules/govuk-frontend/dist/govuk
export FLASK_APP := app

.PHONY: run test install assets migrate demo-data bench lint clean

# The web server and a job worker together (Procfile); Ctrl-C stops both.
run: install assets migrate demo-data
	$(BIN)/honcho start -f Procfile --port $(PORT)

test: install assets
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

install: $(BIN)/.installed node_modules/.installed

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(STATIC)/application.css $(STATIC)/govuk/govuk-frontend.min.js

$(STATIC)/application.css: marketplace/assets/application.scss node_modules/.installed
	mkdir -p $(STATIC)
	npm run --silent build

$(STATIC)/govuk/govuk-frontend.min.js: node_modules/.installed
	mkdir -p $(STATIC)/govuk
	cp $(GOVUK)/govuk-frontend.min.js $@

migrate: install
	$(BIN)/flask db upgrade

demo-data: install
	$(BIN)/flask demo-data

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules $(STATIC) instance
