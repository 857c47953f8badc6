"""Fixtures for the explorer's browser tests.

One dev node (`gigledger-node start --dev`) per test session, with the gig story
of `story.py` played on it; the indexer run up to the chain head into an SQLite
index; the explorer served by uvicorn on a free loopback port; and Debian's
Chromium driven by Playwright. Everything is started here and stopped when the
session ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from web3 import HTTPProvider, Web3
from web3.middleware import ExtraDataToPOAMiddleware

from gigledger.devchain import DevNode, dev_account
from gigledger.testing import free_port, wait_until
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries
from gigledger_node.web.api import create_app
from gigledger_node.web.explorer import install_explorer

from .market import PEOPLE, Market, play_market
from .story import Story, tell_story

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GIGLEDGER = Path(sys.executable).with_name("gigledger")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# ---------------------------------------------------------------- chain and story


@pytest.fixture(scope="session")
def dev_node(tmp_path_factory) -> Iterator[str]:
    """The JSON-RPC URL of a throwaway `gigledger-node start --dev` on loopback."""
    root = tmp_path_factory.mktemp("node")
    with DevNode(root / "data", log_path=root / "node.log").start() as node:
        yield node.url


@pytest.fixture(scope="session")
def w3(dev_node: str) -> Web3:
    """A web3 client of the dev node (its blocks carry a PoA seal in extraData)."""
    client = Web3(HTTPProvider(dev_node))
    client.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return client


@pytest.fixture(scope="session")
def story(w3: Web3) -> Story:
    """The gig story, played on the dev node against freshly deployed contracts."""
    return tell_story(w3)


@pytest.fixture(scope="session")
def parties(story: Story) -> dict[str, str]:
    """The story's parties by name: alice, bob, carol, dave, ..."""
    return story.parties


@pytest.fixture(scope="session")
def registry(w3: Web3, story: Story):
    """The story's reputation registry, to read the figures the chain implies."""
    from gigledger.contracts import abi

    return w3.eth.contract(address=story.deployment.registry, abi=abi("ReputationRegistry"))


# ---------------------------------------------------------------- index and explorer


@pytest.fixture(scope="session")
def queries(story: Story, dev_node: str, tmp_path_factory) -> Queries:
    """The query layer over an index the indexer filled up to the chain head."""
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('index') / 'index.sqlite'}")
    Indexer(engine, Endpoint(dev_node), story.deployment).sync()
    return Queries(engine)


@pytest.fixture(scope="session")
def explorer(queries: Queries, story: Story, dev_node: str) -> Iterator[str]:
    """The base URL of the node's web app (API and explorer) served by uvicorn on loopback."""
    app = create_app(queries, rpc_url=dev_node, deployment=story.deployment)
    install_explorer(app, queries, rpc_url=dev_node, deployment=story.deployment)
    with serving(app, "the explorer") as url:
        yield url


@contextmanager
def serving(app, what: str) -> Iterator[str]:
    """Serves ``app`` with uvicorn on a free loopback port until the block ends; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, what)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def market(w3: Web3, story: Story) -> Market:
    """The talent market, played on the dev node (after the story) on its own deployment."""
    return play_market(w3)


@pytest.fixture(scope="session")
def market_indexer(market: Market, dev_node: str, tmp_path_factory) -> Iterator[Indexer]:
    """The indexer of the market alone, synced up to the chain head; `.sync()` catches up again."""
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('market') / 'index.sqlite'}")
    indexer = Indexer(engine, Endpoint(dev_node), market.deployment)
    indexer.sync()
    try:
        yield indexer
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def market_explorer(market_indexer: Indexer) -> Iterator[str]:
    """The base URL of a web app (API and explorer) over the market's index."""
    queries = Queries(market_indexer.engine)
    app = create_app(queries)
    install_explorer(app, queries)
    with serving(app, "the market explorer") as url:
        yield url


@pytest.fixture(scope="session")
def market_cli(market: Market, dev_node: str, tmp_path_factory) -> Callable[..., subprocess.CompletedProcess]:
    """Runs `gigledger ARGS...` against the dev node and the market's deployment as the
    given dev account (by name), the way a client copies a command off a page."""
    manifest = tmp_path_factory.mktemp("market-cli") / "deployment.json"
    market.deployment.save(manifest)
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIGLEDGER_")}
    base.update(GIGLEDGER_RPC=dev_node, GIGLEDGER_DEPLOYMENT=str(manifest))

    def run(*args: str, account: str) -> subprocess.CompletedProcess:
        environment = {**base, "GIGLEDGER_PRIVATE_KEY": dev_account(PEOPLE[account]).key.hex()}
        return subprocess.run([str(GIGLEDGER), *args], capture_output=True, text=True, env=environment, timeout=120)

    return run


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never Playwright's own download)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def desktop_tab(browser: Browser) -> Iterator[Page]:
    """One desktop-sized tab for the session: opening a tab costs a renderer process."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def phone_tab(browser: Browser) -> Iterator[Page]:
    """One phone-sized touch tab for the session, as a small phone shows pages."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def fresh(tab: Page) -> Iterator[Page]:
    """`tab` on a blank page, back on screen media afterwards; each test navigates it."""
    tab.goto("about:blank")
    yield tab
    tab.emulate_media(media="screen")


@pytest.fixture
def page(desktop_tab: Page) -> Iterator[Page]:
    """A desktop browser tab."""
    yield from fresh(desktop_tab)


@pytest.fixture
def phone(phone_tab: Page) -> Iterator[Page]:
    """A phone browser tab with touch."""
    yield from fresh(phone_tab)


@pytest.fixture
def no_script_page(browser: Browser) -> Iterator[Page]:
    """A desktop tab with JavaScript turned off."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot():
    """Saves a full-page screenshot as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
