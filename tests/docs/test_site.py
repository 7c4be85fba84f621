"""The documentation site, built by `mkdocs build --strict` and opened in a real browser.

The site is built once into a temporary folder, served over http on 127.0.0.1 (the
search index is fetched, which file:// does not allow) and visited with Debian's
Chromium driven by playwright. The pages are whatever the build made: nothing here
names a page. Every request outside the local server is refused and reported, so
the site is checked to work offline (no web fonts, no scripts from a CDN).

Needs the playwright package (the test dependency group), mkdocs and its plugins
(the docs group) and `chromium` on PATH; without them the tests skip, saying which
is missing. CI (`nox -s tests`) installs all three, so there they run.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Request,
        Route,
        ViewportSize,
    )

ROOT = pathlib.Path(__file__).parents[2]
DOCS = ROOT / "docs"
SCREENSHOT = ROOT / "build" / "docs-screenshots" / "home.png"
# The operations page lists `tl.unfold`. The search splits words at spaces and hyphens
# only (material's default separator), so the text `tl.unfold` is the one word
# "tl.unfold": a page must say unfold on its own (a heading, prose), unless mkdocs.yml's
# search plugin is given a separator that also splits at "." and "(".
SEARCH_TERM = "unfold"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _missing() -> str | None:
    """Why the site cannot be checked in a browser here, or None when it can."""
    if importlib.util.find_spec("playwright") is None:
        return "no browser: the playwright package is not installed (the test dependency group)"
    if shutil.which("chromium") is None:
        return "no browser: `chromium` is not on PATH (`apt-get install chromium`; CI installs it)"
    if importlib.util.find_spec("mkdocs") is None:
        return "mkdocs is not installed (the docs dependency group)"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


# -- the site: built, served, and its pages ---------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The site, built strictly from this checkout into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{built.stdout}\n{built.stderr}")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request on stderr."""


@pytest.fixture(scope="session")
def base_url(site: pathlib.Path) -> Iterator[str]:
    """The site served over http on 127.0.0.1 (a free port), in a thread stopped at the end."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _page_path(href: str) -> str:
    """A page's address within the site, whichever way a link spells it: no fragment or
    query, and `…/index.html` as `…/` ("" for the home page)."""
    path = urllib.parse.urlsplit(href).path.lstrip("/")
    return path.removesuffix("index.html")


_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.M)


def _fenced_pages() -> set[str]:
    """The built addresses of the pages whose source (in docs/, mkdocs.yml's docs_dir) has a
    fenced code block: `a/b.md` is `a/b/`, `a/index.md` is `a/` (mkdocs's directory URLs)."""
    found: set[str] = set()
    for source in DOCS.rglob("*.md"):
        if _FENCE.search(source.read_text(encoding="utf-8")):
            parts = source.relative_to(DOCS).with_suffix("").parts
            if parts[-1] in ("index", "README"):
                parts = parts[:-1]
            found.add("".join(f"{part}/" for part in parts))
    return found


@pytest.fixture(scope="session")
def pages(site: pathlib.Path) -> list[str]:
    """Every page the build made (404.html included), as addresses relative to the site."""
    found = sorted(_page_path(p.relative_to(site).as_posix()) for p in site.rglob("*.html"))
    assert "" in found, "the build made no home page (index.html)"
    return found


# -- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by playwright (which cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium is not None
    with sync_playwright() as playwright:
        # As root, Chromium runs only without its sandbox.
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


# Desktop width: the navigation is the left sidebar, the search box is in the header.
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


@dataclasses.dataclass
class Offline:
    """A browser context that may reach only the local server: any other request is
    refused (so it fails, as it would offline) and recorded in `outside`."""

    context: BrowserContext
    outside: list[str]


def _offline(browser: Browser, base_url: str) -> Offline:
    context = browser.new_context(viewport=VIEWPORT)
    outside: list[str] = []

    def only_local(route: Route, request: Request) -> None:
        if request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", only_local)
    return Offline(context, outside)


@pytest.fixture
def offline(browser: Browser, base_url: str) -> Iterator[Offline]:
    """A fresh context for one test, offline but for the site."""
    made = _offline(browser, base_url)
    try:
        yield made
    finally:
        made.context.close()


@pytest.fixture
def page(offline: Offline) -> Page:
    """A new tab in the test's offline context."""
    return offline.context.new_page()


@dataclasses.dataclass
class Visit:
    """What one page did when loaded: its status, the errors it reported (console
    errors, uncaught exceptions, failed requests) and its code blocks."""

    status: int | None
    errors: list[str]
    code_blocks: int = 0
    visible_code_blocks: int = 0
    highlighted_code_blocks: int = 0


# The code blocks of a page: every `pre code`, whether it is shown (has a box), and
# whether Pygments marked it up (spans inside the code).
_CODE_BLOCKS = """() => Array.from(document.querySelectorAll("pre code"), code => ({
    visible: code.getClientRects().length > 0 && getComputedStyle(code).visibility !== "hidden",
    highlighted: code.querySelector("span[class]") !== null,
}))"""


@pytest.fixture(scope="session")
def visits(browser: Browser, base_url: str, pages: list[str]) -> dict[str, Visit]:
    """Each built page, loaded once until the network is idle (the search index included)."""
    offline = _offline(browser, base_url)
    page = offline.context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
    result: dict[str, Visit] = {}
    try:
        for path in pages:
            errors.clear()
            response = page.goto(base_url + path, wait_until="networkidle")
            blocks = page.evaluate(_CODE_BLOCKS)
            result[path] = Visit(
                status=None if response is None else response.status,
                errors=list(errors),
                code_blocks=len(blocks),
                visible_code_blocks=sum(b["visible"] for b in blocks),
                highlighted_code_blocks=sum(b["highlighted"] for b in blocks),
            )
    finally:
        offline.context.close()
    return result


# -- the checks -----------------------------------------------------------------------------


def test_every_page_loads_without_errors(visits: dict[str, Visit]) -> None:
    """Every built page answers 200 and reports no console error, no uncaught exception
    and no failed request (a request outside the site is refused, so it fails here)."""
    bad = {
        path or "/": (visit.status, visit.errors)
        for path, visit in visits.items()
        if visit.status != 200 or visit.errors
    }
    assert not bad, f"pages that did not load cleanly (status, errors): {bad}"


def test_navigation_reaches_every_page(page: Page, base_url: str, pages: list[str]) -> None:
    """The home page's navigation links every built page (404.html aside), and nothing else
    of the site."""
    page.goto(base_url)
    hrefs = page.eval_on_selector_all(
        "nav.md-nav--primary a[href]", "links => links.map(a => a.href)"
    )
    linked = {_page_path(href) for href in hrefs if href.startswith(base_url)}
    built = set(pages) - {"404.html"}
    assert linked == built, (
        f"built but not in the navigation: {sorted(built - linked)}; "
        f"in the navigation but not built: {sorted(linked - built)}"
    )


def test_search_finds_unfold(page: Page, base_url: str, pages: list[str]) -> None:
    """Typing into the search box lists a page that mentions `unfold` (the search index is
    fetched over http, and searched in a web worker)."""
    from playwright.sync_api import expect

    page.goto(base_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(SEARCH_TERM)
    # The search has answered once the count of matches shows ("No matching documents",
    # "1 matching document", …), in place of "Initializing search" or "Type to start searching".
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_contain_text("matching document", ignore_case=True, timeout=15_000)
    results = page.locator(".md-search-result__item")
    assert results.count() > 0, f"searching for {SEARCH_TERM!r}: {meta.inner_text()}"
    first = results.first
    expect(first).to_be_visible()
    assert SEARCH_TERM in first.inner_text().lower()
    target = first.locator("a[href]").first.evaluate("a => a.href")
    assert _page_path(target) in pages, f"the result links {target}, not a built page"


def test_code_blocks_render(visits: dict[str, Visit]) -> None:
    """Every page whose source has a fenced code block shows code blocks, and on every page
    with code blocks one is visible and one is highlighted by Pygments."""
    fenced = _fenced_pages()
    with_code = {path: visit for path, visit in visits.items() if visit.code_blocks}
    if not fenced and not with_code:
        pytest.skip("no code block to check: no fenced block in docs/, no `pre code` in the site")
    lost = sorted(path or "/" for path in fenced if path not in with_code)
    assert not lost, f"pages whose fenced code blocks did not render as `pre code`: {lost}"
    bad = {
        path or "/": dataclasses.asdict(visit)
        for path, visit in with_code.items()
        if not (visit.visible_code_blocks and visit.highlighted_code_blocks)
    }
    assert not bad, f"pages whose code blocks are hidden or not highlighted: {bad}"


def test_home_page_screenshot(page: Page, offline: Offline, base_url: str) -> None:
    """A full-page screenshot of the home page, in build/docs-screenshots/home.png, to look
    at: the page rendered with its stylesheet and nothing fetched from outside."""
    page.goto(base_url, wait_until="networkidle")
    # The theme's stylesheet applied: its header stays at the top (sticky), not unstyled.
    header = page.locator("header.md-header")
    assert header.is_visible()
    assert header.evaluate("h => getComputedStyle(h).position") == "sticky"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    data = SCREENSHOT.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{SCREENSHOT} is not a PNG"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= VIEWPORT["width"] and height >= VIEWPORT["height"], (
        f"{SCREENSHOT} is {width}x{height}"
    )
    assert not offline.outside, f"the home page requested outside the site: {offline.outside}"
