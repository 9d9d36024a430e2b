# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
# Quiet TensorFlow start-up chatter in every step.
export TF_CPP_MIN_LOG_LEVEL := 2
.DEFAULT_GOAL := help
VENV := .venv/bin

.PHONY: help venv model run shell test system lint validate unit stories nlu-eval run-prod bench

help:
	@echo "make run   - install, train if needed, and start the assistant on localhost:5005"
	@echo "             (web chat demo on http://localhost:8080)"
	@echo "make test  - install, train if needed, and run every check"

venv:
	@scripts/venv.sh

model: venv
	@scripts/model.sh

run: venv
	@scripts/run.sh

# Production mode: PostgreSQL, Redis, Rasa replicas and action servers behind nginx (README).
run-prod: venv
	@scripts/services.sh >/dev/null
	@scripts/run-prod.sh

# Latency, throughput, growth, training time and memory, ours beside a stock `rasa init`.
bench: model
	@scripts/services.sh >/dev/null
	$(VENV)/python -m bench --model "$$(scripts/model.sh)" $(if $(BENCH_TRAIN),--train-ours)

shell: venv
	$(VENV)/rasa shell --model "$$(scripts/model.sh)" --endpoints endpoints.yml

test: venv system lint validate model unit stories nlu-eval

# What the tests need from the machine: Chromium (web widget), nginx (production mode),
# PostgreSQL and Redis running (production mode, data layer).
system:
	@scripts/install-browser.sh
	@scripts/install-nginx.sh
	@scripts/services.sh

lint: venv
	$(VENV)/ruff check .

validate: venv
	$(VENV)/rasa data validate --config config.yml --domain domain.yml --data data/nlu data/rules data/stories

unit: model
	$(VENV)/pytest -q tests

stories: model
	$(VENV)/rasa test core --model "$$(scripts/model.sh)" --stories tests --fail-on-prediction-errors --out results/stories

nlu-eval: model
	$(VENV)/python scripts/nlu_eval.py --model "$$(scripts/model.sh)" --holdout tests/nlu_holdout.yml --min-macro-f1 0.90 \
		--unseen tests/nlu_unseen.yml --min-right 0.90 --max-wrong 0.03
