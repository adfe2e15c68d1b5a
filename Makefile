# Two commands: `make run` and `make test`. Each builds .venv from nothing if needed, from requirements.lock.
PY312 := $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1 && echo python3.12 || ls /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | head -1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
UV_VERSION := 0.13.9
# Locally `make test` leaves out the full bad-input fuzz set (marker fuzz_full) and the run of every command
# example in the docs (marker docs_examples, ~2-5 min); CI (CI=true) runs them too.
PYTEST_MARKS := $(if $(filter true,$(CI)),,-m "not fuzz_full and not docs_examples")

.PHONY: run test bench venv lock clean

# Exact versions with hashes; no resolver runs at install time. The project itself goes in without deps.
$(STAMP): $(LOCK) pyproject.toml
	@test -n "$(PY312)" || { echo "python3.12 not found (Mesa 3.5 needs Python >= 3.12)"; exit 2; }
	test -x $(BIN)/python || $(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/sovai run --force

test: $(STAMP)
	bash tests/setup_browser.sh
	$(BIN)/python -m pytest -q $(PYTEST_MARKS)

bench: $(STAMP)
	$(BIN)/python -m experiments.bench

# Re-resolve requirements.lock after changing dependencies in pyproject.toml (needs PyPI), then `make test`.
lock:
	test -x .cache/uv/bin/uv || { $(PY312) -m venv .cache/uv && .cache/uv/bin/pip install -q uv==$(UV_VERSION); }
	echo "setuptools>=68" | .cache/uv/bin/uv pip compile -q pyproject.toml - --extra test --extra viz --extra dist \
	  --python-version 3.12 --universal --generate-hashes --no-header -o $(LOCK)

clean:
	rm -rf $(VENV) outputs
