"""A class on one machine: several app processes behind nginx, one address for every student.

    make serve-class                      # one app process per core, nginx on port 8080
    python -m deploy.serve_class --replicas 3 --port 8080 --address 0.0.0.0

Each replica is a plain `streamlit run app.py` on a loopback port, all with one cookie secret
(generated here unless STREAMLIT_SERVER_COOKIE_SECRET is set). nginx runs deploy/nginx.conf as
written, with its listen port, upstream servers and cache folder filled in, under a private
prefix (logs, cache and temp files in one folder, no root needed): sticky sessions by a route
cookie, the WebSocket passed through, Streamlit's static files cached and compressed by nginx.
Ctrl-C stops everything. Plain `streamlit run app.py` stays the way to run the app for one user.

tests/browser/test_nginx.py and benchmarks/classroom.py start the same deployment through
``start_class``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE_CONF = ROOT / "deploy" / "nginx.conf"
CACHE_DIR = "/var/cache/nginx/pgs-static"
"""The static-file cache folder named in deploy/nginx.conf (replaced under a private prefix)."""
GZIP_LISTEN = "127.0.0.1:8089"
"""The loopback address of the site file's compressing server (replaced by a free port)."""
HEALTH_S = 90.0


def nginx_binary() -> str | None:
    """Path of the nginx executable, or None."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def render_site(listen: str, backend_ports: list[int], cache_dir: Path | None = None,
                gzip_port: int | None = None) -> str:
    """deploy/nginx.conf with its listen address (``host:port``), one upstream server per
    backend port and, if given, its static cache folder and compressing server's port
    replaced."""
    text = SITE_CONF.read_text()
    text = re.sub(r"^\s*listen \[::\]:80;\n", "", text, flags=re.M)
    text = re.sub(r"listen 80;", f"listen {listen};", text)
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ [^\n]*\n", text, flags=re.M)
    if not servers:
        raise ValueError("deploy/nginx.conf has no 'server 127.0.0.1:PORT' upstream lines")
    replacement = "".join(re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", servers[0])
                          for port in backend_ports)
    start = text.index(servers[0])
    end = text.index(servers[-1]) + len(servers[-1])
    text = text[:start] + replacement + text[end:]
    if cache_dir is not None:
        text = text.replace(CACHE_DIR, str(cache_dir))
    if gzip_port is not None:
        text = text.replace(GZIP_LISTEN, f"127.0.0.1:{gzip_port}")
    return text


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_nginx_conf(prefix: Path, listen: str, backend_ports: list[int], *,
                     access_format: str | None = None) -> Path:
    """A complete nginx.conf under ``prefix`` that includes the rendered site file."""
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(render_site(listen, backend_ports, prefix / "cache",
                                                  free_port()))
    temp = prefix / "temp"
    temp.mkdir(exist_ok=True)
    log = (f"  log_format pgs {access_format};\n  access_log {prefix}/access.log pgs;\n"
           if access_format else "  access_log off;\n")
    conf = prefix / "nginx.conf"
    # Started by root, nginx's workers would switch to `nobody`, who cannot enter a private
    # prefix; they stay the user who started this (as they would with a normal user).
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\n"
        "worker_processes auto;\n"
        "worker_rlimit_nofile 16384;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        "  default_type application/octet-stream;\n"
        "  sendfile on;\n  tcp_nopush on;\n"
        f"{log}"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n"
        f"  include {prefix}/site.conf;\n"
        "}\n")
    return conf


def wait_healthy(proc: subprocess.Popen[bytes], url: str, seconds: float, what: str) -> None:
    """Poll ``url`` until it answers 200; kill ``proc`` and raise if it exits or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{what} did not answer {url} within {seconds:.0f} s")


def start_nginx(prefix: Path, listen_port: int, backend_ports: list[int], *,
                address: str = "127.0.0.1", access_format: str | None = None
                ) -> subprocess.Popen[bytes]:
    """nginx in the foreground (one process tree, stopped with the returned Popen)."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx not found (apt-get install nginx)")
    conf = write_nginx_conf(prefix, f"{address}:{listen_port}", backend_ports,
                            access_format=access_format)
    check = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL,
                            stderr=(prefix / "stderr.log").open("w"))
    host = "127.0.0.1" if address in ("0.0.0.0", "::", "[::]") else address
    wait_healthy(proc, f"http://{host}:{listen_port}/_stcore/health", 20,
                 f"nginx (see {prefix / 'stderr.log'})")
    return proc


def replica_command(port: int) -> list[str]:
    """Plain `streamlit run app.py` on a loopback port, as a host would start it."""
    return [sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]


def start_replicas(ports: list[int], logs: list[Path], env: dict[str, str]
                   ) -> list[subprocess.Popen[bytes]]:
    """Start one app process per port (all at once) and wait until each answers."""
    procs = []
    try:
        for port, log in zip(ports, logs, strict=True):
            procs.append(subprocess.Popen(replica_command(port), cwd=ROOT, env=env,
                                          stdout=log.open("w"), stderr=subprocess.STDOUT))
        for port, proc, log in zip(ports, procs, logs, strict=True):
            wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", HEALTH_S,
                         f"replica on port {port} (see {log})")
    except BaseException:
        stop(procs)
        raise
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate, then kill what has not exited after 10 s."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class ClassDeployment:
    """A running class deployment."""

    url: str
    replicas: list[subprocess.Popen[bytes]]
    ports: list[int]
    nginx: subprocess.Popen[bytes]
    prefix: Path
    logs: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        stop([self.nginx])
        stop(self.replicas)


def replica_env(secret: str | None = None, replicas: int = 1) -> dict[str, str]:
    """The environment of every replica: one torch thread each, one shared cookie secret, and
    (unless PGS_TRAINING_WORKERS is set) the machine's cores shared out between the replicas'
    training workers, so that N replicas do not start N workers per core."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if replicas > 1:
        env.setdefault("PGS_TRAINING_WORKERS", str(max(1, (os.cpu_count() or 1) // replicas)))
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = (secret or os.environ.get(
        "STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32))
    return env


def start_class(replicas: int, listen_port: int, backend_ports: list[int], prefix: Path, *,
                address: str = "127.0.0.1", env: dict[str, str] | None = None,
                access_format: str | None = None) -> ClassDeployment:
    """Start ``replicas`` app processes on ``backend_ports`` and nginx on ``listen_port``."""
    if len(backend_ports) != replicas:
        raise ValueError("one backend port per replica")
    prefix.mkdir(parents=True, exist_ok=True)
    logs = [prefix / f"replica{i}.log" for i in range(replicas)]
    procs = start_replicas(backend_ports, logs, env or replica_env(replicas=replicas))
    try:
        proxy = start_nginx(prefix, listen_port, backend_ports, address=address,
                            access_format=access_format)
    except BaseException:
        stop(procs)
        raise
    host = "127.0.0.1" if address in ("0.0.0.0", "::", "[::]") else address
    return ClassDeployment(f"http://{host}:{listen_port}", procs, backend_ports, proxy, prefix,
                           logs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2,
                        help="app processes (default: one per core)")
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--address", default="0.0.0.0",
                        help="address nginx listens on (default: every interface)")
    parser.add_argument("--base-port", type=int, default=8601,
                        help="replicas listen on 127.0.0.1:BASE_PORT, BASE_PORT+1, ...")
    parser.add_argument("--prefix", type=Path, default=None,
                        help="folder for nginx's logs, cache and the replicas' logs "
                             "(default: a new temporary folder)")
    args = parser.parse_args(argv)
    prefix = args.prefix or Path(tempfile.mkdtemp(prefix="pgs-class-"))
    ports = [args.base_port + i for i in range(args.replicas)]
    print(f"Starting {args.replicas} app processes on ports {ports} and nginx on "
          f"{args.address}:{args.port} (logs in {prefix}) ...", flush=True)
    deployment = start_class(args.replicas, args.port, ports, prefix, address=args.address)
    print(f"Class deployment ready: http://<this machine>:{args.port}/ "
          f"(here: {deployment.url}/). Ctrl-C stops it.", flush=True)
    stopping = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stopping:
            for proc in [deployment.nginx, *deployment.replicas]:
                if proc.poll() is not None:
                    print(f"process {proc.pid} ({proc.args!r}) exited with "
                          f"{proc.returncode}; stopping", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        deployment.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
