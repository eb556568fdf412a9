"""Screenshots of the example page for the README: `make screenshots` writes docs/*.png."""

from __future__ import annotations

import time

from playwright.sync_api import sync_playwright

from chalicelib.config.stage_config import PROJECT_DIR
from devstack.stack import LocalStack, free_port

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> None:
    docs = PROJECT_DIR / "docs"
    with LocalStack(free_port(), free_port(), free_port()) as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 480, "height": 560}, locale="de-DE", timezone_id="Europe/Berlin")
        page.goto(f"{stack.page_url}/")
        page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
        page.fill("#given_name", "Lisa")
        page.fill("#family_name", "Stroetmann")
        page.fill("#email", "lisa.stroetmann@example.org")
        page.fill("#organisation", "Stadt Dinslaken")
        page.select_option("#organisation_type", "Kommune")
        page.select_option("#department", "Integration")
        page.fill("#role", "Integrationsbeauftragte")
        page.check("#consent")
        page.screenshot(path=str(docs / "form-filled.png"), full_page=True)
        time.sleep(3.2)  # the page's minimum fill time
        page.click("#submit")
        page.wait_for_selector("#form-status.success")
        page.screenshot(path=str(docs / "form-success.png"), full_page=True)
        browser.close()
    print("wrote docs/form-filled.png and docs/form-success.png")


if __name__ == "__main__":
    main()
