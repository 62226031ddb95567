# softmax-repro: `make reproduce` measures this machine and draws the figures; `make test` checks it all.
# Both install what is missing first (Debian packages, the plotting virtualenv).

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
RUN := .build/release/softmax-repro

# QUICK=1: the quick variants (a few minutes); FRESH=1: start afresh instead of resuming (old CSVs are
# kept as .bak copies).
EXPERIMENTS := $(if $(QUICK),softmax-quick passes-quick multicore-quick accuracy-quick,tune softmax passes table1 multicore accuracy)
RUN_FLAGS := $(if $(FRESH),--overwrite,--resume)

.PHONY: reproduce test build deps venv plots clean bundle cluster print-experiments test-slurm

reproduce: build venv
	@for experiment in $(EXPERIMENTS); do \
	  $(RUN) run $$experiment $(RUN_FLAGS) || exit $$?; \
	done
	@$(MAKE) --no-print-directory plots
	@for experiment in $(EXPERIMENTS); do \
	  for csv in results/*/$$experiment.csv; do $(RUN) show $$csv; done; \
	done

test: deps venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(VENV)/bin/python -m pytest -q plots/tests
	@$(MAKE) --no-print-directory test-slurm

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
