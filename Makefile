# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
# Quiet TensorFlow start-up chatter in every step.
export TF_CPP_MIN_LOG_LEVEL := 2
.DEFAULT_GOAL := help
VENV := .venv/bin

.PHONY: help venv model run shell test system lint validate deploy-check unit stories nlu-eval run-prod bench

help:
	@echo "make run   - install, train if needed, and start the assistant on localhost:5005"
	@echo "             (web chat demo on http://localhost:8080)"
	@echo "make test  - install, train if needed, and run every check"

venv:
	@scripts/venv.sh

# The model's path is found (and the model trained if needed) once per `make`; later steps read it.
model: venv
	@mkdir -p .state && scripts/model.sh > .state/model && cat .state/model
MODEL = "$$(cat .state/model)"

run: venv
	@scripts/run.sh

# Production mode: PostgreSQL, Redis, Rasa replicas and action servers behind nginx (README).
run-prod: venv
	@scripts/services.sh >/dev/null
	@scripts/run-prod.sh

# Latency, throughput, growth, training time and memory, ours beside a stock `rasa init`; the
# visitors each kept under 1 s (capacity; BENCH_SHORT=1 for a short version); the load tests; then
# the fault soak: production mode with faults injected at random for SOAK_MINUTES (bench/fault_soak.py).
SOAK_MINUTES ?= 10
bench: model
	@scripts/services.sh >/dev/null
	$(VENV)/python -m bench --model $(MODEL) $(if $(BENCH_TRAIN),--train-ours)
	$(VENV)/python -m bench.capacity --model $(MODEL) $(if $(BENCH_SHORT),--short)
	WEHO_TEST_MODEL=$(MODEL) $(VENV)/pytest -q tests -m load
	$(VENV)/python -m bench.fault_soak --model $(MODEL) --minutes $(SOAK_MINUTES)

shell: venv
	$(VENV)/rasa shell --model "$$(scripts/model.sh)" --endpoints endpoints.yml

test: venv system lint validate deploy-check model unit stories nlu-eval

# What the tests need from the machine: Chromium (web widget), nginx (production mode),
# PostgreSQL and Redis running (production mode, data layer).
system:
	@scripts/install-browser.sh
	@scripts/install-nginx.sh
	@scripts/services.sh

lint: venv
	$(VENV)/ruff check .

# deploy/k8s/ against the Kubernetes schemas, and it and the Dockerfiles scanned by checkov, with
# tools in a venv of their own (requirements-tools.txt: their pins cannot live beside Rasa's).
deploy-check:
	@scripts/check-deploy.sh

validate: venv
	$(VENV)/rasa data validate --config config.yml --domain domain.yml --data data/nlu data/rules data/stories

# The load and soak tests run in `make bench`; the ten slowest tests are listed at the end.
unit: model
	WEHO_TEST_MODEL=$(MODEL) $(VENV)/pytest -q tests -m "not load" --durations=10

stories: model
	$(VENV)/rasa test core --model $(MODEL) --stories tests --fail-on-prediction-errors --out results/stories

# Unseen set: confidently wrong at most 3% (the goal); right at least 70%, a guard against losing
# what was reached (the goal, 90%, is not met yet: README, How well the assistant understands).
nlu-eval: model
	$(VENV)/python scripts/nlu_eval.py --model $(MODEL) --holdout tests/nlu_holdout.yml --min-macro-f1 0.90 \
		--unseen tests/nlu_unseen.yml --min-right 0.70 --max-wrong 0.03
