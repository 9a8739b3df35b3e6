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
.PHONY: help run chat test train evaluate benchmark validate lock clean review

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

run: $(STAMP) train ## Serve tourists: Telegram if TELEGRAM_BOT_TOKEN is set, else the terminal chat
	$(PY) -m bot run

chat: $(STAMP) train ## Chat with the assistant in this terminal
	$(PY) -m bot chat

test: $(STAMP) ## Run the test suite (trains a model for it if data changed)
	$(PY) -m pytest

review: $(STAMP) ## Serve the staff review app on http://127.0.0.1:8000 (REVIEW_PORT to change)
	$(PY) -m review serve

train: $(STAMP) ## Train the model (does nothing when data and config are unchanged)
	@$(VENV)/bin/rasa train --config config.yml --domain domain.yml --data nlu dialogue --out models > /dev/null 2>&1 \
	  || { echo "Training failed; run: $(VENV)/bin/rasa train --data nlu dialogue"; exit 1; }

evaluate: $(STAMP) train ## Measure understanding and language choice; writes docs/evaluation.md
	$(PY) -m evaluation

benchmark: $(STAMP) train ## Speed, memory, accuracy against the alternatives (~30 min); writes BENCHMARKS.md
	$(PY) -m pip install --quiet -r requirements-bench.txt -c requirements.lock
	$(PY) -m benchmarks

validate: $(STAMP) ## Check content/ and the training data
	$(PY) -m actions.validate
	$(VENV)/bin/rasa data validate --domain domain.yml --data nlu dialogue --fail-on-warnings

lock: $(STAMP) ## Re-pin requirements.lock from the virtualenv
	{ echo "# Every package of the project virtualenv at the versions tested (pip freeze)."; \
	  echo "# Regenerate after changing requirements*.txt: make lock"; \
	  $(PY) -m pip freeze --exclude-editable --all | grep -vE "^(pip|wheel)=="; } > requirements.lock

clean: ## Remove the virtualenv, models and local data
	rm -rf $(VENV) models var

$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@python=$$(scripts/find-python.sh) || exit 1; \
	  [ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3" "wheel==0.45.1"
	$(PY) -m pip install --quiet -r requirements-dev.txt -c requirements.lock
	touch $@
