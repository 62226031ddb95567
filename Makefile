# softmax-repro: `make reproduce` measures this machine and draws the figures; `make test` checks it all.
# Both install what is missing first (Debian packages, the plotting virtualenv).

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
RUN := .build/release/softmax-repro

# QUICK=1: the quick variants (a few minutes); FRESH=1: start afresh instead of resuming (old CSVs are
# kept as .bak copies).
FULL_EXPERIMENTS := tune softmax passes table1 multicore accuracy
EXPERIMENTS := $(if $(QUICK),softmax-quick passes-quick multicore-quick accuracy-quick llm-vocab-quick,$(FULL_EXPERIMENTS))
RUN_FLAGS := $(if $(FRESH),--overwrite,--resume)
# A user's runs: everything `make reproduce` writes is under the gitignored local/ (the runner's defaults
# for --results and --local-presets); the committed reference runs in results/ change only by
# `make reference`.
LOCAL := local

.PHONY: reproduce reference test build deps venv plots local-plots clean bundle cluster print-experiments test-slurm test-c-kernels test-compare-with-authors

reproduce: build venv
	@git status --porcelain --untracked-files=no > .tracked-before-reproduce 2>/dev/null || true
	@for experiment in $(EXPERIMENTS); do \
	  $(RUN) run $$experiment $(RUN_FLAGS) || exit $$?; \
	done
	@$(MAKE) --no-print-directory local-plots
	@for experiment in $(EXPERIMENTS); do \
	  for csv in $(LOCAL)/results/*/$$experiment.csv; do $(RUN) show $$csv; done; \
	done
	@scripts/check-tracked-unchanged.sh .tracked-before-reproduce

# Copies this processor's complete local run (every experiment of the full set) into results/<processor-id>/
# and its tuned preset into experiments/presets/tuned/, then redraws the committed figures.
reference: build venv
	$(RUN) reference $(FULL_EXPERIMENTS)
	@$(MAKE) --no-print-directory plots

# Every test, then a check that they changed no tracked file (tests write only to temporary folders). First,
# that no two files of a module depend on each other and no function runs over 60 lines without a stated reason.
test: deps venv
	@git status --porcelain --untracked-files=no > .tracked-before-test 2>/dev/null || true
	$(PYTHON) scripts/check-file-dependencies.py --long-functions 60
	@$(MAKE) --no-print-directory test-c-kernels
	@$(MAKE) --no-print-directory test-compare-with-authors
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(VENV)/bin/python -m pytest -q plots/tests
	@$(MAKE) --no-print-directory test-slurm
	@scripts/check-tracked-unchanged.sh .tracked-before-test

# The C kernels without Swift: natively, against a deliberately broken kernel, and cross-compiled for
# aarch64 under qemu (installs gcc-aarch64-linux-gnu and qemu-user-static when missing).
test-c-kernels:
	scripts/test-c-kernels.sh

# The authors' comparison without the authors' code: refusals and the driver's self-test (no network).
test-compare-with-authors:
	scripts/test-compare-with-authors.sh

# The cluster scripts on a one-node Slurm cluster started here (installs slurm-wlm and munge when missing).
test-slurm:
	scripts/test-slurm.sh

build: deps
	$(SWIFT) build -c release --product softmax-repro

deps:
	@scripts/install-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: plots/requirements.txt | deps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r plots/requirements.txt
	touch $@

plots: venv build
	$(VENV)/bin/python plots/plot_results.py --results results --out plots/figures --summary results/SUMMARY.md
	$(RUN) claims --results results --markdown results/CLAIMS.md

local-plots: venv build
	$(VENV)/bin/python plots/plot_results.py --results $(LOCAL)/results --out $(LOCAL)/figures --summary $(LOCAL)/SUMMARY.md
	$(RUN) claims --results $(LOCAL)/results --markdown $(LOCAL)/CLAIMS.md

clean:
	rm -rf .build $(VENV)

# The results `make bundle` packs: this machine's local runs (RESULTS=results: the committed reference run).
RESULTS ?= local/results

# One archive of this processor's results, metadata and checksums under local/, for `softmax-repro import`.
bundle: build
	$(RUN) bundle --results $(RESULTS) --out local

# Every node type of cluster/cluster.conf (or CLUSTER_CONF=FILE) measured as a Slurm job array, then merged.
CLUSTER_CONF ?= cluster/cluster.conf
cluster:
	cluster/submit.sh $(CLUSTER_CONF)

# The experiments `make reproduce` runs (QUICK=1: the quick ones), for scripts.
print-experiments:
	@echo $(EXPERIMENTS)
