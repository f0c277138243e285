"""Run deploy/nginx.conf (Debian's site file) under a private prefix, ports rewritten.

Used by tests/browser/test_nginx.py and benchmarks; needs the `nginx` binary (Debian:
`apt-get install nginx`; .ci/run installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.browser.server import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = ROOT / "deploy" / "nginx.conf"
LOG_FORMAT = "'$cookie_pgs_route $upstream_addr $status \"$request\"'"


def nginx_binary() -> str | None:
    """Path of the nginx executable, or None."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def render_site(listen_port: int, backend_ports: list[int]) -> str:
    """deploy/nginx.conf with its listen port and upstream servers replaced."""
    text = SITE_CONF.read_text()
    text = re.sub(r"^\s*listen \[::\]:80;\n", "", text, flags=re.M)
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{listen_port};", text)
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ [^\n]*\n", text, flags=re.M)
    if len(servers) < 1:
        raise ValueError("deploy/nginx.conf has no 'server 127.0.0.1:PORT' upstream lines")
    template = servers[0]
    replacement = "".join(re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", template)
                          for port in backend_ports)
    start = text.index(servers[0])
    end = text.index(servers[-1]) + len(servers[-1])
    return text[:start] + replacement + text[end:]


def start_nginx(prefix: Path, listen_port: int, backend_ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground with a private prefix; access log at prefix/access.log."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx not found (apt-get install nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(render_site(listen_port, backend_ports))
    temp = prefix / "temp"
    temp.mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"  log_format pgs {LOG_FORMAT};\n"
        f"  access_log {prefix}/access.log pgs;\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n"
        f"  include {prefix}/site.conf;\n"
        "}\n")
    check = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf),
                             "-g", "daemon off; master_process off;"],
                            stdout=subprocess.DEVNULL, stderr=(prefix / "stderr.log").open("w"))
    wait_healthy(proc, listen_port, 20, f"nginx (see {prefix / 'stderr.log'})")
    return proc


def access_log(prefix: Path) -> list[tuple[str, str, str, str]]:
    """(route cookie, upstream address, status, request line) per logged request."""
    rows = []
    path = prefix / "access.log"
    if not path.exists():
        return rows
    for line in path.read_text().splitlines():
        match = re.match(r'(\S+) (\S+) (\d+) "(.*)"$', line)
        if match:
            rows.append(match.groups())
    return rows
