"""The review page in a real browser: Debian's Chromium, headless, driven by Selenium through the
system chromedriver (`make test` installs both when missing; nothing is downloaded).

A person who knows the truth (the hand-checked ground truth of the samples) reviews the run on
the 150 dpi grey sample scans by keyboard alone: every card whose fields are right is accepted,
every wrong field is typed in. The page saves corrections.json; `pipeline apply` takes it; then
every flagged field is right (`pipeline eval`), the record and the CSVs hold the typed values,
and a rerun keeps them. `pytest --update-golden tests/review` rewrites docs/review.png.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.evaluate import Report, compare_form, evaluate, format_report, load_outputs, load_truth, pair_forms
from pipeline.runner import run_batch
from tests.conftest import REPO, SAMPLES, TRUTH

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = REPO / "docs" / "review.png"


@pytest.fixture(scope="module")
def browser(tmp_path_factory, monkeypatch_module):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium and its driver are missing: `make test` installs them (apt-get install chromium "
                    "chromium-driver)")
    monkeypatch_module.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a browser
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def truth_of(out: Path) -> dict[tuple[str, str], object]:
    """(form_id, field path) → the right value, for every field the truth has (what a person knows)."""
    known: dict[tuple[str, str], object] = {}
    for expected, got in pair_forms(load_outputs(out), load_truth(TRUTH))[0]:
        if got is None:
            continue
        report = Report()
        report.observer = lambda path, right, value, fid=got["form_id"]: known.__setitem__((fid, path), value)
        compare_form(report, "", expected, got)
    return known


def typed(value) -> str:
    return "" if value is None else str(value)


def review_by_keyboard(driver, known: dict, screenshot: Path | None = None, limit: int = 500) -> dict:
    """Go through every card: accept it, or type the right value of each wrong field; counts.
    `screenshot`: where to save the page as the first wrong field is typed in, the page view open."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    body = driver.find_element(By.TAG_NAME, "body")
    counts = {"accepted": 0, "corrected": 0, "fields_typed": 0}
    seen = set()
    for _ in range(limit):
        card = driver.find_element(By.ID, "card")
        key = card.get_attribute("data-key")
        if key in seen:
            break  # back at a decided card: every card is done
        seen.add(key)
        form_id = key.split("|", 1)[0]
        boxes = driver.find_elements(By.CSS_SELECTOR, "#leaves input")
        fields = [b.get_attribute("data-field") for b in boxes]
        wrong = {f: known[(form_id, f)] for f, b in zip(fields, boxes)
                 if (form_id, f) in known and b.get_attribute("value") != typed(known[(form_id, f)])}
        if not wrong:
            body.send_keys("a")
            counts["accepted"] += 1
        else:
            if screenshot is not None:
                body.send_keys("v")
            body.send_keys("e")
            for i, field in enumerate(fields):
                active = driver.switch_to.active_element
                assert active.get_attribute("data-field") == field
                if field in wrong:
                    active.send_keys(Keys.CONTROL, "a")
                    active.send_keys(Keys.BACKSPACE)
                    if typed(wrong[field]):
                        active.send_keys(typed(wrong[field]))
                    counts["fields_typed"] += 1
                if i + 1 < len(fields):
                    active.send_keys(Keys.TAB)
            if screenshot is not None:
                driver.save_screenshot(str(screenshot))
            driver.switch_to.active_element.send_keys(Keys.ENTER)
            if screenshot is not None:
                body.send_keys("v")
                screenshot = None
            counts["corrected"] += 1
        text = driver.find_element(By.ID, "progress-text").text
        done, total = (int(x) for x in text.split(" ")[0:3:2])
        if done == total:
            break
    return counts


def test_a_person_corrects_every_flagged_wrong_field_in_the_browser(scan150_run, browser, tmp_path, update_golden):
    from selenium.webdriver.common.by import By

    out = tmp_path / "out"
    shutil.copytree(scan150_run, out)
    cli = CliRunner()
    made = cli.invoke(app, ["review", str(out)])
    assert made.exit_code == 0, made.output
    assert "warning" not in made.output  # every source found: every card has its pictures
    before = evaluate(load_outputs(out), load_truth(TRUTH))
    assert before.flagged_wrong > 0, "the run flags nothing wrong: the test would prove nothing"

    browser.get((out / "review.html").as_uri())
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]  # every picture loads
    first_crop = browser.find_element(By.ID, "crop")
    assert browser.execute_script("return arguments[0].naturalWidth", first_crop) > 20

    counts = review_by_keyboard(browser, truth_of(out), SCREENSHOT if update_golden else None)
    assert counts["corrected"] >= 1 and counts["fields_typed"] >= before.flagged_wrong, counts
    progress = browser.find_element(By.ID, "progress-text").text
    assert progress.split(" ")[0] == progress.split(" ")[2], progress  # every card decided

    browser.find_element(By.TAG_NAME, "body").send_keys("s")
    saved = browser.downloads / "corrections.json"
    for _ in range(50):
        if saved.exists() and saved.stat().st_size:
            break
        time.sleep(0.1)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert len(data["corrections"]) >= counts["fields_typed"]

    applied = cli.invoke(app, ["apply", str(out), str(saved)])
    assert applied.exit_code == 0, applied.output
    after = evaluate(load_outputs(out), load_truth(TRUTH))
    assert after.flagged_wrong == 0, format_report(after)  # 100% of flagged fields right
    assert after.correct == before.correct + before.flagged_wrong, format_report(after)

    # the record and the run's CSV hold what was typed, and a rerun (resumed) keeps it
    typed_value = next(c for c in data["corrections"] if c["field"].endswith(".value")
                       and isinstance(c["value"], str) and c["value"].isdigit())
    with (out / "indicators.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["form_id"] == typed_value["form_id"]]
    index = int(typed_value["field"].split("[")[1].split("]")[0])
    assert float(rows[index]["value_number"]) == float(typed_value["value"])
    run_batch([SAMPLES / "scans" / "150dpi_grey"], load_settings(overrides={"out_dir": str(out)}))
    again = evaluate(load_outputs(out), load_truth(TRUTH))
    assert again.flagged_wrong == 0 and again.correct == after.correct, format_report(again)
