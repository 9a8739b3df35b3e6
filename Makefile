# Mont Blanc – Great Wall cross-tourism assistant. `make help` lists the commands.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.DEFAULT_GOAL := help
.PHONY: help run chat test lint format train evaluate benchmark validate lock clean review system-packages image-test

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

run: $(STAMP) train ## Serve tourists: Telegram if TELEGRAM_BOT_TOKEN is set, else the terminal chat
	$(PY) -m bot run

chat: $(STAMP) train ## Chat with the assistant in this terminal
	$(PY) -m bot chat

test: $(STAMP) system-packages lint ## Run the checks and the test suite (the command CI runs)
	$(PY) -m pytest

lint: $(STAMP) ## Lint, format check, types and the layer contracts (pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: $(STAMP) ## Fix what ruff can fix, and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

system-packages: ## Install the Debian packages the tests need (chromium, redis-server, postgresql), as root
	@scripts/system-packages.sh

image-test: $(STAMP) ## Build the image and run docker-compose.yml's stack through its faults with podman, as root (~40 min the first time; not in make test)
	@scripts/image-test.sh

review: $(STAMP) ## Serve the staff review app on http://127.0.0.1:8000 (REVIEW_PORT to change)
	$(PY) -m review serve

train: $(STAMP) ## Train the model (does nothing when data and config are unchanged)
	@$(PY) -m bot train

evaluate: $(STAMP) train ## Measure understanding and language choice; writes docs/evaluation.md
	$(PY) -m evaluation

benchmark: $(STAMP) train ## Speed, memory, accuracy, scale-out against the alternatives (~45 min); writes BENCHMARKS.md
	$(PY) -m pip install --quiet -r requirements-bench.txt -c requirements.lock
	$(PY) -m benchmarks

validate: $(STAMP) ## Check content/ and the training data
	$(PY) -m curated.validate
	$(PY) -m rasa_extensions.command data validate --domain domain.yml --data nlu dialogue --fail-on-warnings

lock: $(STAMP) ## Re-pin requirements.lock from the virtualenv
	{ echo "# Every package of the project virtualenv at the versions tested (pip freeze)."; \
	  echo "# Regenerate after changing requirements*.txt: make lock"; \
	  $(PY) -m pip freeze --exclude-editable --all | grep -vE "^(pip|wheel)=="; } > requirements.lock

clean: ## Remove the virtualenv, models and local data
	rm -rf $(VENV) models var

$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@python=$$(scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || { echo "Creating $(VENV) with $$python..."; "$$python" -m venv $(VENV); }
	@echo "Installing the assistant's packages into $(VENV) (first time: about 3 minutes, 2.7 GB; pip reports only errors)..."
	@$(PY) -m pip install --quiet --upgrade "pip==26.3" "wheel==0.45.1"
	@$(PY) -m pip install --quiet -r requirements-dev.txt -c requirements.lock
	@touch $@
	@echo "Packages installed."
