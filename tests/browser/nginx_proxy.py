"""Run deploy/nginx.conf (Debian's site file) under a private prefix, ports rewritten, with an
access log that records each request's route cookie and replica.

Used by tests/browser/test_nginx.py; the rendering and start-up are deploy/serve_class.py's
(`make serve-class`), so the tests run exactly what a teacher runs. Needs the `nginx` binary
(Debian: `apt-get install nginx`; .ci/run installs it).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from deploy import serve_class
from deploy.serve_class import nginx_binary, render_site

__all__ = ["access_log", "nginx_binary", "render_site", "start_nginx"]

LOG_FORMAT = "'$cookie_pgs_route $upstream_addr $status $upstream_cache_status \"$request\"'"


def start_nginx(prefix: Path, listen_port: int, backend_ports: list[int]
                ) -> subprocess.Popen[bytes]:
    """nginx in the foreground with a private prefix; access log at prefix/access.log."""
    return serve_class.start_nginx(prefix, listen_port, backend_ports, access_format=LOG_FORMAT)


def access_log(prefix: Path) -> list[tuple[str, str, str, str, str]]:
    """(route cookie, upstream address, status, cache status, request line) per request."""
    rows: list[tuple[str, str, str, str, str]] = []
    path = prefix / "access.log"
    if not path.exists():
        return rows
    for line in path.read_text().splitlines():
        match = re.match(r'(\S+) (\S+) (\d+) (\S+) "(.*)"$', line)
        if match:
            rows.append((match[1], match[2], match[3], match[4], match[5]))
    return rows
