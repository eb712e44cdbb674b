# Two commands on a fresh machine:  make demo  (build the demo warehouse)  and  make test.
# Each sets up its own environment: a pinned uv in .tools/, locked dependencies in .venv/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv/.synced
DB ?= cxlens.duckdb
SCALE ?= 1

.PHONY: demo test lint typecheck docs bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV): pyproject.toml uv.lock $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

# the demo data, then the report (HTML; PDF too where Chromium is installed), then the
# dashboard on http://127.0.0.1:$(PORT) until Ctrl+C (no scheduled survey runs: the demo's
# year is over and its customers have no addresses; see docs/demo.md)
PORT ?= 8000
PDF := $(shell command -v chromium >/dev/null 2>&1 && echo "--pdf report.pdf")

demo: $(VENV)
	.venv/bin/cxlens demo --scale $(SCALE) --db $(DB)
	@test -n "$(PDF)" || echo "make demo: no report.pdf: Chromium is not installed (the PDF is printed with it); install it (Debian/Ubuntu: apt-get install chromium) and run make demo again"
	.venv/bin/cxlens report --db $(DB) --out report.html $(PDF)
	.venv/bin/cxlens serve --db $(DB) --port $(PORT) --surveys-every 0

lint: $(VENV)
	.venv/bin/ruff check src tests bench

typecheck: $(VENV)
	.venv/bin/mypy

test: lint typecheck
	.venv/bin/pytest

docs: $(VENV)
	.venv/bin/cxlens docs --out docs

bench: $(VENV)
	.venv/bin/python bench/import_speed.py
	.venv/bin/python bench/cli_startup.py

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
