# Set-up on first use: a virtualenv in .venv with requirements.txt; the tests also install
# the optional Ray engine (requirements-ray.txt, so its tests run), the studio
# (requirements-studio.txt), pytest, Playwright's Python package and Debian's Chromium (the
# studio's browser tests; apt as root or through sudo, no browser download).
PY := .venv/bin/python
STAMP := .venv/.installed
STUDIO_STAMP := .venv/.installed-studio
TEST_STAMP := .venv/.installed-test
BROWSER_STAMP := .venv/.installed-browser

.PHONY: train process studio test bench clean-venv

$(STAMP): requirements.txt
	python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

$(STUDIO_STAMP): $(STAMP) requirements-studio.txt
	$(PY) -m pip install -q -r requirements-studio.txt
	touch $(STUDIO_STAMP)

$(TEST_STAMP): $(STAMP) $(STUDIO_STAMP) requirements-ray.txt
	$(PY) -m pip install -q -r requirements-ray.txt pytest "playwright>=1.45,<2"
	touch $(TEST_STAMP)

# Debian's chromium for the browser tests. Without root or password-less sudo it only says so
# (the browser tests are then skipped, except in CI, where they fail).
$(BROWSER_STAMP): $(STAMP)
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then touch $(BROWSER_STAMP); \
	elif ! command -v apt-get >/dev/null; then echo "note: no apt-get here; install Chromium for the studio's browser tests"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
		&& touch $(BROWSER_STAMP); \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq \
		&& sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium && touch $(BROWSER_STAMP); \
	else echo "note: chromium is not installed and apt needs root: sudo apt-get install chromium"; fi

## Train on the bundled sample with the fast preset and render the held-out view.
train: $(STAMP)
	bash train.sh --foreground --preset fast $(ARGS)

## Render the held-out view of the bundled sample with the latest run.
process: $(STAMP)
	bash process.sh $(ARGS)

## SemColorNet Studio: the whole workflow in a local web page (ARGS: --port, --host, --runs, ...).
studio: $(STUDIO_STAMP)
	$(PY) studio.py $(ARGS)

## The test suite (fast on a 2-core CPU; no network, no downloaded weights).
test: $(TEST_STAMP) $(BROWSER_STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests $(ARGS)

## The quality benchmark on every development case and task (see docs/results.md).
bench: $(STAMP)
	$(PY) -m pip install -q -r requirements-bench.txt
	$(PY) bench/quality.py --cases all --tasks sketch lines bw --presets default $(ARGS)

clean-venv:
	rm -rf .venv
