"""deploy/nginx.conf, run as written (ports rewritten), in front of two app processes.

One browser session goes through it: pages render and react over the proxied WebSocket, every
request of that browser lands on one replica (sticky route cookie), and, once the CartPole page
exists, a live training run works through the proxy.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict

import pytest

from tests.browser.nginx_proxy import access_log, nginx_binary, start_nginx
from tests.browser.server import (
    free_port,
    open_app_page,
    start_server,
    stop_server,
    unavailable,
    uncaught_errors,
    wait_until_idle,
)
from tests.browser.training import (
    cartpole_entry,
    episodes_shown,
    refused,
    start_training,
)
from ui.registry import PAGES


@pytest.fixture(scope="module")
def proxied(artifacts, tmp_path_factory):
    if nginx_binary() is None:
        unavailable("nginx not found (apt-get install nginx)")
    secret = secrets.token_hex(16)  # shared by both replicas, as docs/deploy.md requires
    ports = [free_port(), free_port()]
    servers = []
    proxy = None
    prefix = tmp_path_factory.mktemp("nginx")
    try:
        for i, port in enumerate(ports):
            servers.append(start_server(port, artifacts / f"server-replica{i}.log",
                                        {"STREAMLIT_SERVER_COOKIE_SECRET": secret}))
        listen = free_port()
        proxy = start_nginx(prefix, listen, ports)
        yield f"http://127.0.0.1:{listen}", prefix, ports
    finally:
        if proxy is not None:
            stop_server(proxy)
        for server in servers:
            stop_server(server)
    errors = [e for server in servers for e in uncaught_errors(server)]
    assert not errors, f"a replica logged script exceptions: {errors}"


def _sticky(prefix) -> dict[str, set[str]]:
    """Replicas each route cookie's WebSocket sessions went to. The session state lives in the
    WebSocket's replica; a static file retried on the other replica (nginx retries a request
    whose kept-alive upstream connection was closed) does not matter."""
    upstreams: dict[str, set[str]] = defaultdict(set)
    for cookie, upstream, _status, request in access_log(prefix):
        if cookie != "-" and upstream != "-" and "/_stcore/stream" in request:
            upstreams[cookie].add(upstream)
    return upstreams


@pytest.mark.browser
def test_session_through_nginx(proxied, page):
    url, prefix, ports = proxied
    open_app_page(page, f"{url}/?seed=42")
    assert page.locator("[data-testid='stException']").count() == 0
    # A widget change makes a round trip over the proxied WebSocket.
    seed = page.locator("[data-testid='stSidebar'] input[type='number']").first
    seed.fill("43")
    seed.press("Enter")
    page.wait_for_function("() => location.search.includes('seed=43')", timeout=30_000)
    wait_until_idle(page)
    for entry in PAGES[:2]:
        open_app_page(page, f"{url}/{entry.url_path}?seed=43")
        assert page.locator("[data-testid='stException']").count() == 0
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "pgs_route" in cookies
    routes = _sticky(prefix)
    assert routes.get(cookies["pgs_route"]), "no proxied request carried the route cookie"
    assert len(routes[cookies["pgs_route"]]) == 1, routes  # one browser, one replica
    assert {u.rsplit(":", 1)[1] for u in routes[cookies["pgs_route"]]} <= {str(p) for p in ports}


@pytest.mark.browser
def test_both_replicas_serve_and_new_browsers_spread(proxied, browser):
    url, prefix, _ports = proxied
    used: set[str] = set()
    # New browsers get random route ids, so which replica each lands on is chance: open them
    # in batches until both replicas have served one. Even a lopsided 60/40 hash ring puts all
    # 24 on one replica with probability about 5e-6; a proxy that does not spread always fails.
    for _batch in range(4):
        for _ in range(6):
            context = browser.new_context()
            tab = context.new_page()
            open_app_page(tab, url)
            assert tab.locator("[data-testid='stException']").count() == 0
            context.close()
        time.sleep(1)  # nginx logs a WebSocket when it closes
        used = {u for ups in _sticky(prefix).values() for u in ups}
        if len(used) == 2:
            break
    assert len(used) == 2, used


@pytest.mark.browser
def test_training_through_nginx(proxied, page):
    entry = cartpole_entry()
    url, _prefix, _ports = proxied
    open_app_page(page, f"{url}/{entry.url_path}")
    assert start_training(page), "no Train/Start button on the CartPole page"
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and episodes_shown(page) == 0 and not refused(page):
        page.wait_for_timeout(500)
    assert not refused(page)
    assert episodes_shown(page) > 0, "no '<N> episodes' progress within 45 s"
    assert page.locator("[data-testid='stException']").count() == 0
