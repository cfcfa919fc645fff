# Each target sets up .venv on first use, so a fresh machine needs only `make demo` / `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench eval lock clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## crawl the bundled recorded sources on 127.0.0.1 and show what was stored
	$(BIN)/lotwise demo

# Four workers on two cores: many tests wait on a crawl process, a server or a timeout, and the
# extra workers fill those waits (7 December 2026, the whole suite: 7 min 50 s with three,
# 6 min 22 s with four; user CPU 467 s and 484 s).
TEST_WORKERS ?= 4

# Bytecode is written for the test run even where PYTHONDONTWRITEBYTECODE is set (this machine):
# otherwise every worker re-runs pytest's assertion rewriting of the test modules (about 8 s of CPU
# per worker) and every worker and `lotwise` subprocess compiles the project from source. The
# project is compiled once first, on both cores, so the workers do not all compile it at once on a
# fresh clone; everything goes to __pycache__ in this tree (ignored by git).
test: $(STAMP)  ## every test (SQLite always; PostgreSQL when it answers, required with LOTWISE_REQUIRE_POSTGRES=1)
	$(BIN)/python -m compileall -q -j 0 scanner spiders matchers
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(STAMP)  ## ruff, formatting, mypy and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)  ## benchmarks: print rates and ratios (not part of the tests)
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_crawl.py
	$(BIN)/python benchmarks/bench_lot_recovery.py
	$(BIN)/python benchmarks/bench_split_store.py
	$(BIN)/python benchmarks/bench_match.py
	$(BIN)/python benchmarks/bench_digest.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_dedupe.py

eval: $(STAMP)  ## the matcher against the graded labels (P@5, P@10, NDCG@10), beside a baseline
	$(BIN)/lotwise eval

lock:  ## re-pin every dependency after changing pyproject.toml
	rm -rf /tmp/lotwise-lock && $(PYTHON) -m venv /tmp/lotwise-lock
	/tmp/lotwise-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/lotwise-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
