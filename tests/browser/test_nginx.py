"""The class deployment (`make serve-class`: deploy/serve_class.py running deploy/nginx.conf as
written, ports rewritten) with two app processes.

One browser session goes through it: pages render and react over the proxied WebSocket, every
request of that browser lands on one replica (sticky route cookie), new visitors spread over
both, a live training run works through the proxy, and Streamlit's static files come from
nginx's cache, compressed.
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.request
from collections import defaultdict
from http.cookies import SimpleCookie

import pytest

from deploy.serve_class import free_port, replica_env, start_class
from harness.server import (
    open_app_page,
    remember_log,
    unavailable,
    uncaught_errors,
    wait_until_idle,
)
from harness.training import (
    cartpole_entry,
    episodes_shown,
    refused,
    start_training,
)
from tests.browser.nginx_proxy import LOG_FORMAT, access_log, nginx_binary
from ui.registry import PAGES


@pytest.fixture(scope="module")
def proxied(artifacts, tmp_path_factory):
    if nginx_binary() is None:
        unavailable("nginx not found (apt-get install nginx)")
    secret = secrets.token_hex(16)  # shared by both replicas, as docs/deploy.md requires
    ports = [free_port(), free_port()]
    prefix = tmp_path_factory.mktemp("nginx")
    deployment = start_class(2, free_port(), ports, prefix, env=replica_env(secret, 2),
                             access_format=LOG_FORMAT)
    try:
        yield deployment.url, prefix, ports
    finally:
        deployment.stop()
    errors = []
    for replica, log in zip(deployment.replicas, deployment.logs, strict=True):
        remember_log(replica, log)
        errors += uncaught_errors(replica)
    assert not errors, f"a replica logged script exceptions: {errors}"


def _sticky(prefix) -> dict[str, set[str]]:
    """Replicas each route cookie's WebSocket sessions went to. The session state lives in the
    WebSocket's replica; a static file retried on the other replica (nginx retries a request
    whose kept-alive upstream connection was closed) does not matter."""
    upstreams: dict[str, set[str]] = defaultdict(set)
    for cookie, upstream, _status, _cache, request in access_log(prefix):
        if cookie != "-" and upstream != "-" and "/_stcore/stream" in request:
            upstreams[cookie].add(upstream)
    return upstreams


@pytest.mark.browser
def test_session_through_nginx(proxied, own_browser_page):
    page = own_browser_page  # a new visitor: no route cookie yet
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
def test_both_replicas_serve_and_new_visitors_spread(proxied):
    """A visitor without a route cookie gets one with its first answer, and every request that
    carries it goes to one replica; visitors spread over both. Plain HTTP clients, each with a
    cookie of its own: the routing is nginx's alone (a browser's requests go through it in
    test_session_through_nginx).

    New visitors get random route ids, so which replica each lands on is chance: they come one
    by one until both replicas have served one. Even a lopsided 60/40 hash ring puts all 24 on
    one replica with probability about 5e-6; a proxy that does not spread always fails."""
    url, prefix, _ports = proxied
    used: set[str] = set()
    for _visitor in range(24):
        with urllib.request.urlopen(url + "/", timeout=30) as first:
            first.read()
            cookie = SimpleCookie(first.headers["Set-Cookie"])["pgs_route"].value
        for _ in range(3):
            request = urllib.request.Request(url + "/_stcore/health",
                                             headers={"Cookie": f"pgs_route={cookie}"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.read() == b"ok"
        deadline = time.monotonic() + 10  # nginx writes a request's line once it is answered
        while True:
            upstreams = [row[1] for row in access_log(prefix) if row[0] == cookie]
            if len(upstreams) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(upstreams) == 3 and len(set(upstreams)) == 1, upstreams  # one replica
        used |= set(upstreams)
        if len(used) == 2:
            break
    assert len(used) == 2, used


@pytest.mark.browser
def test_training_through_nginx(proxied, own_browser_page):
    page = own_browser_page  # a new visitor: no route cookie yet
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


@pytest.mark.browser
def test_static_files_cached_and_compressed(proxied):
    url, prefix, _ports = proxied
    with urllib.request.urlopen(url + "/", timeout=30) as response:
        html = response.read().decode()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', html)
    assert script, "no script in the app's HTML"
    path = "/" + script[1]
    answers = []
    for _ in range(3):
        request = urllib.request.Request(url + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answers.append((response.headers.get("X-Cache-Status"),
                            response.headers.get("Content-Encoding"), len(response.read())))
    assert all(encoding == "gzip" for _status, encoding, _size in answers), answers
    assert answers[-1][0] == "HIT", answers
    plain = urllib.request.Request(url + path, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(plain, timeout=30) as response:
        body = response.read()
        assert response.headers.get("Content-Encoding") is None
    assert len(body) > 2 * answers[-1][2], "the compressed answer is not smaller"
    # The app processes served the file at most once each (nginx's cache lock makes it once).
    upstream_hits = [row for row in access_log(prefix)
                     if path in row[4] and row[3] in ("MISS", "EXPIRED")]
    assert len(upstream_hits) <= 1, upstream_hits
