# prodbook: `make demo` and `make test` set everything up on a machine with Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib;print(hashlib.md5(open('pyproject.toml','rb').read()+open('$(LOCK)','rb').read()).hexdigest()[:10])")

.PHONY: demo sample test lint bench golden lock screenshots system-deps clean

## the environment: prodbook and its test extras, at the versions in requirements.lock (pip constraints)
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]" -c $(LOCK)
	rm -f $(VENV)/.installed-*
	touch $@

## demo: write a fresh demo into demo/ (git-ignored) and run the daily refresh on it. A re-run replaces
## a demo nobody changed and stops on one you changed; `make demo FORCE=1` first moves it to demo/old demos
demo: $(STAMP)
	$(BIN)/prodbook demo demo $(if $(FORCE),--force)

## sample: rewrite the committed demo copy in workbooks/ (as of 2026-11-25; review the diff, then commit)
SAMPLE_DAY := 2026-11-25
sample: $(STAMP)
	rm -rf workbooks/demo-tracker.xlsx workbooks/demo-tracker-kids.xlsx "workbooks/vendor files" "workbooks/prodbook backups" \
		"workbooks/Follow-up drafts" workbooks/.prodbook-demo.json
	$(BIN)/prodbook demo workbooks --today $(SAMPLE_DAY) > /dev/null
	rm -rf "workbooks/prodbook backups" "workbooks/Follow-up drafts" workbooks/.prodbook-demo.json

## test: the lint gate (below), then the whole test suite (LibreOffice checks run when soffice is available)
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest

## lint: ruff on src, tests, benchmarks and tools (rules in pyproject.toml), mypy on src/ and the layer contract
## (import-linter); all three run, and the target fails if any of them does
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check src tests benchmarks tools || status=1; \
	$(BIN)/mypy || status=1; \
	$(BIN)/lint-imports || status=1; \
	exit $$status

## bench: speed figures (prints them; no pass/fail)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## golden: rewrite the golden digest of a whole demo run (review the diff before committing)
golden: $(STAMP)
	$(BIN)/python tests/golden_digest.py

## lock: rewrite requirements.lock from what the environment has installed (after changing a dependency:
## `.venv/bin/pip install -e ".[test]"` with the new bound, run the tests, then `make lock`; commit both)
lock:
	$(BIN)/python tools/lock.py > $(LOCK).new && mv $(LOCK).new $(LOCK)

## screenshots: render the README's pictures (docs/images/*.png) of the demo's T&A, Issues and Production Report
## (LibreOffice prints each sheet to PDF, pdftoppm from poppler-utils makes the PNG); review them, then commit
screenshots: $(STAMP) system-deps
	$(BIN)/python docs/screenshots.py

## system-deps: in CI, as root, install LibreOffice Calc (headless) and poppler-utils (pdftotext, pdftoppm) for the
## spreadsheet cross-checks, the printed-demo check and the screenshots, and PostgreSQL (its binaries: the roll-up
## tests start a throwaway server of their own with initdb/pg_ctl)
system-deps:
	@if { ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } && [ "$$(id -u)" = "0" ] && [ -n "$$CI" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing LibreOffice Calc (headless), poppler-utils and PostgreSQL for the cross-checks and the roll-up tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils postgresql >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist src/*.egg-info
