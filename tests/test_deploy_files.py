"""The files a host needs (docs/deploy.md) agree with the project's own: the same pins, the
same port, and deploy/nginx.conf renders to a valid configuration for any number of replicas."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from deploy.serve_class import nginx_binary, render_site, write_nginx_conf

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_community_cloud_requirements_pin_the_same_versions_with_cpu_torch():
    ours = pins(ROOT / "requirements.txt")
    cloud_file = ROOT / "deploy" / "community-cloud" / "requirements.txt"
    cloud = pins(cloud_file)
    assert cloud.pop("torch") == ours.pop("torch") + "+cpu"
    assert cloud == ours
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in cloud_file.read_text()


def test_huggingface_readme_names_the_port_the_image_listens_on():
    header = (ROOT / "deploy" / "huggingface" / "README.md").read_text().split("---")[1]
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    dockerfile = (ROOT / "Dockerfile").read_text()
    exposed = re.search(r"^EXPOSE (\d+)", dockerfile, flags=re.M)
    assert fields["sdk"] == "docker"
    assert exposed and fields["app_port"] == exposed[1]


def test_site_file_renders_one_upstream_server_per_replica(tmp_path):
    text = render_site("127.0.0.1:9000", [9101, 9102, 9103], tmp_path / "cache", 9999)
    assert re.findall(r"server 127\.0\.0\.1:(\d+) ", text) == ["9101", "9102", "9103"]
    assert "listen 127.0.0.1:9000;" in text and "listen 80" not in text
    assert str(tmp_path / "cache") in text and "/var/cache/nginx" not in text
    assert "proxy_cache pgs_static" in text and "gzip on" in text
    assert "hash $pgs_route_key consistent" in text
    # Static files are compressed once, by a loopback server on the given port, into the cache.
    assert "listen 127.0.0.1:9999;" in text and "proxy_pass http://127.0.0.1:9999;" in text
    assert "8089" not in text


def test_rendered_configuration_passes_nginx_check(tmp_path):
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx not installed")
    conf = write_nginx_conf(tmp_path, "127.0.0.1:9000", [9101, 9102, 9103])
    check = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(conf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
