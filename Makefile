# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: run test lint setup bench screenshots installer dist selftest-dist clean translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# pycups (the OS print queue's job states) builds against libcups: added where its headers are.
	@if pkg-config --exists cups 2>/dev/null || command -v cups-config >/dev/null 2>&1; then \
		$(PY) -m pip install -q -e ".[dev,cups]"; \
	else echo "libcups's headers are not installed (Debian: libcups2-dev): pycups left out; badges through the OS print queue will say 'sent', not 'printed'."; \
		$(PY) -m pip install -q -e ".[dev]"; fi
	touch $@

setup: $(VENV)/.installed translations

# The kiosk's languages: Qt .ts sources compiled to the .qm files the app loads.
translations: $(VENV)/.installed
	@for ts in ui/kiosk/translations/*.ts; do $(BIN)/pyside6-lrelease -silent $$ts -qm $${ts%.ts}.qm; done

# Starts the app; in demo mode (fake devices, synthetic data, throw-away folder) until set-up is done.
run: setup
	@if $(BIN)/frontdesk config check >/dev/null 2>&1; then $(BIN)/frontdesk; \
	else echo "FrontDesk is not set up on this machine yet: starting the demo."; $(BIN)/frontdesk --demo; fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Bytecode is written (PYTHONDONTWRITEBYTECODE emptied): the helpers' machine sets it, and then each xdist worker
# and each of the hundreds of console, hub and CLI processes the tests start compiled every module from source
# (measured at load ~2: tests/test_cli_visits.py and test_hub_sync_link.py took 20-25% less CPU with it).
# __pycache__ is in .gitignore.
test: lint
	PYTHONDONTWRITEBYTECODE= QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto --dist worksteal --durations=25

# Speed and memory figures, written to docs/benchmarks.md with the machine and the date.
bench: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Every picture in docs/screenshots/, taken again from the real app and servers (Xvfb at a 1366x768 laptop, the
# desk also at 1920x1080; the web screens through Debian's chromium; PDF pages need poppler-utils' pdftoppm).
# Look at what changed before committing it: `git status docs/screenshots`.
SHOT := xvfb-run -a -s "-screen 0 1366x768x24" env PYTHONPATH=. $(PY)
screenshots: setup
	@for tool in desk id kiosk notify notifications pickup_lists students badges os_queue review screening dispatch; do \
		echo "tools/screenshot_$$tool.py"; $(SHOT) tools/screenshot_$$tool.py > /dev/null || exit 1; done
	$(SHOT) tools/screenshot_hub_sync.py docs/screenshots > /dev/null
	$(SHOT) tools/screenshot_dispatch_station.py docs/screenshots > /dev/null
	$(SHOT) tools/screenshot_panic_question.py > /dev/null
	rm -rf build/side-windows && QT_QPA_PLATFORM=xcb $(SHOT) -m tests.xcb_side_windows build/side-windows/1366 docs/screenshots > /dev/null
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" env PYTHONPATH=. $(PY) -m tests.xcb_side_windows \
		build/side-windows/1920 docs/screenshots > /dev/null
	$(SHOT) -m tools.screenshot_sizes
	xvfb-run -a -s "-screen 0 1920x1080x24" env PYTHONPATH=. $(PY) -m tools.screenshot_sizes
	xvfb-run -a -s "-screen 0 1920x1080x24" env PYTHONPATH=. QT_SCALE_FACTOR=1.5 $(PY) -m tools.screenshot_sizes
	FRONTDESK_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/test_district_browser.py \
		tests/test_district_settings_browser.py tests/test_dispatch_console_browser.py \
		tests/test_upgrade_older_desks.py::test_the_hubs_district_page_names_the_older_desk_with_its_school

# The frozen desk (onedir, installer/frontdesk.spec) in dist/FrontDesk/, then its self-test, offscreen.
dist: setup
	$(PY) -m pip install -q -e ".[installer]"
	$(BIN)/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist installer/frontdesk.spec
	$(MAKE) selftest-dist

selftest-dist:
	QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring dist/FrontDesk/frontdesk-cli --self-test
	@du -sh dist/FrontDesk | awk '{print "bundle size: " $$1}'
	@test $$(du -sm dist/FrontDesk | cut -f1) -le 250 || (echo "bundle larger than 250 MB" && false)

# The Windows installer: installer/frontdesk.iss compiled by Inno Setup's own compiler (ISCC) under Wine from the
# bundle in dist/FrontDesk (made first if missing), then installed, upgraded and uninstalled silently under Wine
# (installer/check_windows_install.py). Needs wine with 32-bit support; see installer/build_windows.sh.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
installer:
	@test -d dist/FrontDesk || $(MAKE) dist
	WINEPREFIX=$(CURDIR)/build/wineprefix installer/build_windows.sh dist/FrontDesk
	WINEPREFIX=$(CURDIR)/build/wineprefix $(PYTHON) installer/check_windows_install.py dist/FrontDesk-Setup-$(VERSION).exe

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
