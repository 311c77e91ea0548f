# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install run test bench samples scans clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(STAMP)
	@echo "installed: $(BIN)/pipeline"

# The digital samples and the scanned ones (image-only PDFs at 200 dpi colour and 150 dpi grey).
# sample_pdfs/scans/loose/ holds a form photographed as two files, which is read as two inputs
# (a known gap), so it is left to the tests.
run: install
	$(BIN)/pipeline run sample_pdfs/*.pdf sample_pdfs/scans/200dpi sample_pdfs/scans/150dpi_grey --out outputs/
	@echo "results: outputs/ (one folder per input; projects.csv, indicators.csv, manifest.json)"

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

# Seconds per page per stage and accuracy on the samples → docs/benchmarks.md (a few minutes).
bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

# Regenerate the sample PDFs from the hand-checked ground truth (needs CJK fonts:
# apt-get install fonts-wqy-zenhei fonts-arphic-ukai fonts-arphic-uming).
samples: $(STAMP)
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python scripts/make_samples.py

# "Scan" the sample PDFs: seals, skew, blur, noise, JPEG -> sample_pdfs/scans/
# (image-only PDFs at 200 dpi colour and 150 dpi grey, a TIFF, phone-photo JPEGs).
scans: $(STAMP)
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python scripts/make_scans.py

clean:
	rm -rf $(VENV) outputs/*/ outputs/*.csv outputs/*.json
