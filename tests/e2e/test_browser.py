"""End to end in a real browser: the app runs as ``streamlit run app.py`` on a free port with its own
SQLite file and users file; Debian's headless Chromium (driven by Playwright, never a downloaded
browser) signs in, uploads a sample DOCX, resolves the queue, releases and downloads the file.
Screenshots are kept in ``artifacts/e2e/``.

Skipped when /usr/bin/chromium is missing (``tools/setup_browser.sh`` installs it), unless
MARAC_REQUIRE_BROWSER=1, which makes a missing browser a failure.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from redactor.auth import add_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MARAC_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "artifacts" / "e2e"
SAMPLE = ROOT / "sample_docs" / "files" / "minutes-chesterford-2025-10-02.docx"
PASSWORD = "correct-horse-1"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
REDACTED_NAMES = ("Fatou Jallow", "Lamin Ceesay", "Tamarind Close")  # case 1's people; the refuge address


def _browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("MARAC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and MARAC_REQUIRE_BROWSER=1 (run tools/setup_browser.sh)")
    pytest.skip(f"{CHROMIUM} is missing: run tools/setup_browser.sh (or set MARAC_CHROMIUM)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _browser_or_skip()
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
    tmp = tmp_path_factory.mktemp("e2e")
    add_user(tmp / "users.yaml", "alice", ("coordinator",), PASSWORD)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'app.sqlite'}",
           "MARAC_REDACT_USERS": str(tmp / "users.yaml"), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "localhost"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def settle(page: Page) -> None:
    """Wait until Streamlit has finished rerunning the script."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press("ArrowDown")
    page.get_by_role("option", name=option).first.click()
    settle(page)


def docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_sign_in_upload_resolve_release_download(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.set_default_timeout(60_000)
            _sign_in(page, server)
            _upload_and_set_up(page)
            _resolve_queue(page)
            data = _release_and_download(page)
        finally:
            browser.close()
    xml = docx_xml(data)
    assert "Deepa Menon" in xml  # case 2, released to housing
    for name in REDACTED_NAMES:
        assert name not in xml and name.encode() not in data


def _sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill("alice")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Upload & release setup").wait_for()
    settle(page)


def _upload_and_set_up(page: Page) -> None:
    page.locator('input[type="file"]').set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and analyse").click()
    page.get_by_text("Stored as document #1").wait_for()
    settle(page)
    choose(page, "Recipient (from the directory)", "Ealing Housing Options (housing)")
    page.get_by_role("textbox", name="Case(s) this release is about").fill("2")
    page.get_by_text("The Marac agreed this release").click()
    page.get_by_role("textbox", name="Agreed by (chair, coordinator)").fill("DI Obi (chair)")
    page.get_by_role("textbox", name="Agreed when").fill("2025-10-02")
    page.get_by_text("The victim knows and consents").click()
    page.get_by_role("button", name="Open the review").click()
    page.get_by_text("Review #1 opened").wait_for()
    settle(page)


def _resolve_queue(page: Page) -> None:
    page.get_by_role("link", name="Review queue").first.click()
    page.get_by_role("heading", name="Review queue").wait_for()
    settle(page)
    page.get_by_text("item(s) still need a decision").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "1-review-queue.png"), full_page=True)
    page.get_by_role("tab", name="Change").click()
    for rule in _rules_to_redact(page):
        choose(page, "Rule", re.compile(rf"^{rule} "))
        choose(page, "Decision for all of them", "redact")
        page.get_by_role("button", name=f"Apply to every item of {rule}").click()
        settle(page)
    page.get_by_text("Nothing is left to decide").wait_for()


def _rules_to_redact(page: Page) -> list[str]:
    """From the rule list ("P1 (3 items, proposed review)"): every rule still asking a person, and every
    passage rule (P*) keeping something, so that nothing is open and no four eyes are needed."""
    box = page.get_by_role("combobox", name="Rule")
    box.click()
    box.press("ArrowDown")
    options = page.get_by_role("option").all_inner_texts()
    box.press("Escape")
    parsed = [re.match(r"(\S+) \(\d+ items, proposed (\w+)\)", o) for o in options]
    return [m[1] for m in parsed if m and (m[2] == "review" or (m[1].startswith("P") and m[2] == "keep"))]


def _release_and_download(page: Page) -> bytes:
    page.get_by_role("tab", name="Preview & release").click()
    page.get_by_role("button", name="Release", exact=True).click()
    page.get_by_text("Released (disclosure #").wait_for()
    settle(page)
    page.get_by_role("tab", name="Preview & release").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the redacted file").click()
    download = info.value
    assert download.suggested_filename == "minutes-chesterford-2025-10-02.redacted.docx"
    page.screenshot(path=str(ARTIFACTS / "2-released.png"), full_page=True)
    return Path(download.path()).read_bytes()
