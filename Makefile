# prodbook: `make demo` and `make test` set everything up on a machine with Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.md5(open('pyproject.toml','rb').read()).hexdigest()[:10])")

.PHONY: demo test bench golden system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

## demo: write workbooks/demo-tracker.xlsx and run the daily refresh on it
demo: $(STAMP)
	$(BIN)/prodbook demo workbooks

## test: the whole test suite (LibreOffice checks run when soffice is available)
test: $(STAMP) system-deps
	$(BIN)/python -m pytest

## bench: speed figures (prints them; no pass/fail)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## golden: rewrite the golden digest of a whole demo run (review the diff before committing)
golden: $(STAMP)
	$(BIN)/python tests/golden_digest.py

## system-deps: in CI, as root, install LibreOffice Calc (headless) for the spreadsheet cross-checks
system-deps:
	@if ! command -v soffice >/dev/null 2>&1 && [ "$$(id -u)" = "0" ] && [ -n "$$CI" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing LibreOffice Calc (headless) for the spreadsheet cross-checks..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist src/*.egg-info
