# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
TESSERACT_APT := tesseract-ocr tesseract-ocr-chi-sim
# CJK typefaces the tests, the sample generators and the corpus typeset with (Song/Ming, Hei, Kai,
# Fangsong, …): Debian packages, embedded into every PDF made with them.
FONTS_APT := fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming fonts-arphic-gbsn00lp \
  fonts-arphic-gkai00mp fonts-droid-fallback fonts-lxgw-wenkai fonts-cwtex-fs
FONT_FILES := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
  /usr/share/fonts/truetype/arphic/ukai.ttc /usr/share/fonts/truetype/arphic/uming.ttc \
  /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf /usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf \
  /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf \
  /usr/share/fonts/truetype/cwtex/cwfs.ttf

# The review page's browser test drives Debian's Chromium through its chromedriver (no browser is
# ever downloaded): installed by apt-get when missing, as the fonts are.
BROWSER_APT := chromium chromium-driver
BROWSER_FILES := /usr/bin/chromium /usr/bin/chromedriver

.PHONY: install run test bench bench-tesseract fonts browser samples scans corpus clean

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
# sample_pdfs/scans/loose/ (a TIFF and phone photos, one form photographed as two files
# `…_p1.jpg`, `…_p2.jpg`, joined into one input) is OCR'd photo by photo and left to the tests.
run: install
	$(BIN)/pipeline run sample_pdfs/*.pdf sample_pdfs/scans/200dpi sample_pdfs/scans/150dpi_grey --out outputs/
	@echo "results: outputs/ (one folder per input; projects.csv, indicators.csv, manifest.json)"

test: $(TEST_STAMP) fonts browser
	$(BIN)/python -m pytest -q

# Ours and the peers (camelot, pdfplumber, img2table + Tesseract, RapidOCR) on the samples:
# seconds per page, peak memory, accuracy → docs/benchmarks.md and a plot (about half an hour).
# Our pipeline runs in .venv; the peers in .venv-bench with the `bench` extra, so .venv (and
# `make test`) never sees them. There img2table wants opencv-contrib-python, camelot and rapidocr
# opencv-python-headless: two wheels writing one cv2 package, which breaks when mixed; only
# opencv-contrib-python (a superset of the other) is kept.
bench: $(TEST_STAMP) fonts $(BENCH_STAMP) bench-tesseract
	$(BENCH_VENV)/bin/python bench/run.py --ours-python $(BIN)/python --peers-python $(BENCH_VENV)/bin/python

$(BENCH_STAMP): pyproject.toml
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -e '.[bench]'
	cv=$$($(BENCH_VENV)/bin/python -c "import importlib.metadata as m; print(m.version('opencv-contrib-python'))") && \
	  $(BENCH_VENV)/bin/pip uninstall -q -y opencv-python opencv-python-headless opencv-contrib-python && \
	  $(BENCH_VENV)/bin/pip install -q --no-deps "opencv-contrib-python==$$cv"
	touch $@

# img2table reads with Tesseract chi_sim: installed here when apt-get can (as root or by sudo
# without a password); otherwise its rows in docs/benchmarks.md say it was skipped and why.
bench-tesseract:
	@if tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TESSERACT_APT) >/dev/null) \
	  || echo "note: apt-get could not install $(TESSERACT_APT); img2table is skipped"; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
	  (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TESSERACT_APT) >/dev/null) \
	  || echo "note: apt-get could not install $(TESSERACT_APT); img2table is skipped"; \
	else echo "note: tesseract with chi_sim is not installed (apt-get install $(TESSERACT_APT)); img2table is skipped"; fi

# Debian packages $(2) unless every file of $(1) is there: by apt-get as root, or by sudo without a
# password. A machine where neither works stops here with the command to run ($(3): what is missing),
# rather than failing tests later.
define apt_ensure
	@missing=0; for f in $(1); do [ -e "$$f" ] || missing=1; done; \
	if [ $$missing = 0 ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null) \
	  || { echo "error: apt-get could not install $(2)"; exit 1; }; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
	  (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null) \
	  || { echo "error: apt-get could not install $(2)"; exit 1; }; \
	else echo "error: $(3) missing; run: apt-get install $(2)"; exit 1; fi
endef

fonts:
	$(call apt_ensure,$(FONT_FILES),$(FONTS_APT),CJK fonts)

browser:
	$(call apt_ensure,$(BROWSER_FILES),$(BROWSER_APT),Chromium)

# Regenerate the sample PDFs from the hand-checked ground truth (needs the CJK fonts above).
samples: $(STAMP) fonts
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python scripts/make_samples.py

# The generated corpus (scripts/corpus/): every template, typeface, orientation, column widths and
# carrier (pdf, dump, docx, xlsx, html, md); the dev split (seeds 0-99999, looked at) and the
# heldout split (seeds 100000-199999, scored, never tuned on) -> corpus/{dev,heldout}/.
CORPUS_COUNT ?= 360
corpus: $(STAMP) fonts
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python scripts/make_corpus.py --split dev --out corpus/dev --count $(CORPUS_COUNT)
	$(BIN)/python scripts/make_corpus.py --split heldout --out corpus/heldout --count $(CORPUS_COUNT)

# "Scan" the sample PDFs: seals, skew, blur, noise, JPEG -> sample_pdfs/scans/
# (image-only PDFs at 200 dpi colour and 150 dpi grey, a TIFF, phone-photo JPEGs).
scans: $(STAMP) fonts
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python scripts/make_scans.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) outputs/*/ outputs/*.csv outputs/*.json
