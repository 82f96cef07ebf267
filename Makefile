# Set-up on first use: a virtualenv in .venv with requirements.txt; the tests also install
# the optional Ray engine (requirements-ray.txt, so its tests run) and pytest.
PY := .venv/bin/python
STAMP := .venv/.installed
TEST_STAMP := .venv/.installed-test

.PHONY: train process test bench clean-venv

$(STAMP): requirements.txt
	python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-ray.txt
	$(PY) -m pip install -q -r requirements-ray.txt pytest
	touch $(TEST_STAMP)

## Train on the bundled sample with the fast preset and render the held-out view.
train: $(STAMP)
	bash train.sh --foreground --preset fast $(ARGS)

## Render the held-out view of the bundled sample with the latest run.
process: $(STAMP)
	bash process.sh $(ARGS)

## The test suite (fast on a 2-core CPU; no network, no downloaded weights).
test: $(TEST_STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests $(ARGS)

## The quality benchmark on every development case and task (see README, Results).
bench: $(STAMP)
	$(PY) -m pip install -q -r requirements-bench.txt
	$(PY) bench/quality.py --cases all --tasks sketch lines bw --presets default $(ARGS)

clean-venv:
	rm -rf .venv
