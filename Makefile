# The two commands of the README: `make run` and `make test`. Both create .venv and install
# requirements.txt first (production's, development's and the tests' pins under requirements/; again only when one
# of them changes); nothing else needs installing by hand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements

.PHONY: run test stop install campaign bench-peer

install: $(INSTALLED)

$(INSTALLED): requirements.txt $(wildcard requirements/*.txt)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(INSTALLED)
	bash scripts/run.sh

test: $(INSTALLED)
	bash scripts/test.sh

stop: $(INSTALLED)
	$(PY) manage.py embedded_services stop

# The benchmarks read the embedded servers' ports (settings start nothing): start them first.
campaign: $(INSTALLED)
	$(PY) manage.py embedded_services start
	$(PY) benchmarks/campaign.py --json benchmarks/results/campaign.json

# The peer cache of the memory benchmark's sensitivity mode (GPTCache, pinned in its own file): benchmark-only,
# never installed by `make install` or `make test`.
PEER_INSTALLED := $(VENV)/.installed-peer-requirements

bench-peer: $(PEER_INSTALLED)

$(PEER_INSTALLED): benchmarks/requirements-peer.txt $(INSTALLED)
	$(PY) -m pip install --quiet -r benchmarks/requirements-peer.txt
	touch $@
