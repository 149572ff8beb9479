# Every target bootstraps .venv from requirements.lock on a fresh machine with only Python >= 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench bench-smoke serve lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("regmod needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/regmod demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict matching regmod

# The packages' docstring examples run too (alembic's migration scripts only import in alembic).
test: lint
	$(VENV)/bin/pytest -q -p no:cacheprovider tests benchmarks --benchmark-disable
	$(VENV)/bin/pytest -q -p no:cacheprovider --doctest-modules matching regmod api fixtures \
		--ignore=regmod/store/migrations

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(VENV)/bin/pytest benchmarks --benchmark-only --benchmark-columns=min,median,max,ops
	$(PY) -m benchmarks.compare

serve: $(STAMP)
	$(VENV)/bin/regmod serve

# Re-resolve the lock file from pyproject.toml (run after changing a dependency range).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --upgrade pip
	.lockenv/bin/pip install --quiet -e '.[dev]'
	.lockenv/bin/pip freeze --exclude-editable | grep -v '^regmod' > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
