# Two commands: `make run` and `make test`. Each builds .venv from nothing if needed.
PY312 := $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' >/dev/null 2>&1 && echo python3.12 || ls /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | head -1)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench venv clean

$(STAMP): pyproject.toml
	@test -n "$(PY312)" || { echo "python3.12 not found (Mesa 3.5 needs Python >= 3.12)"; exit 2; }
	test -x $(BIN)/python || $(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/sovai run

test: $(STAMP)
	bash tests/setup_browser.sh
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m experiments.bench

clean:
	rm -rf $(VENV) outputs
