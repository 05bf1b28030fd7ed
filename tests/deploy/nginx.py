"""The shipped nginx config (deploy/nginx/privatellm.conf), run by a test as its own process.

`render` rewrites only what a test must: the upstream list (this test's
processes, on free ports), the listen address, and the numbers of chosen
directives (a 2 s timeout instead of 30 s, a limit of 3 instead of 256): every
other word of each directive stays as shipped, so a test exercises the
shipped directives themselves. `Nginx` runs nginx in the foreground with
everything it writes under a temporary directory, and stops it by its pid.
"""

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, services_required

SHIPPED = ROOT / "deploy" / "nginx" / "privatellm.conf"
_UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n", re.MULTILINE)
_NUMBER = re.compile(r"\d+")


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if services_required():
        pytest.fail("nginx is required (REQUIRE_SERVICES=1): apt-get install -y nginx")
    pytest.skip("nginx is not installed")


def render(listen: int, upstreams: list[int], numbers: dict[str, str] | None = None) -> str:
    """The shipped site config, listening on 127.0.0.1:`listen`, in front of `upstreams` (each
    with the shipped server options), each directive of `numbers` given new numbers: its value
    (`limit_conn` -> "privatellm_per_client 3") may differ from the shipped one in digits only.
    """
    site = SHIPPED.read_text()
    servers = list(_UPSTREAM_SERVER.finditer(site))
    assert servers, "the shipped config lists no upstream server"
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    listed = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in upstreams)
    site = site[: servers[0].start()] + listed + site[servers[-1].end() :]
    assert site.count("listen 80;") == 1
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    for directive, value in (numbers or {}).items():
        pattern = re.compile(rf"^(\s*{re.escape(directive)}\s+)([^;\n]+);", re.MULTILINE)
        (shipped,) = [m.group(2) for m in pattern.finditer(site)]  # exactly once, as shipped
        assert _NUMBER.sub("N", shipped) == _NUMBER.sub("N", value), (directive, shipped, value)
        site = pattern.sub(lambda m, v=value: f"{m.group(1)}{v};", site)  # type: ignore[misc]
    return site


class Nginx:
    """nginx in the foreground, everything it writes under `workdir`."""

    def __init__(self, workdir: Path, site: str) -> None:
        self.port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", site).group(1))  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.chmod(0o777)  # nginx's workers may run as nobody
        (workdir / "privatellm.conf").write_text(site)
        temp = {name: workdir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir()
            path.chmod(0o777)
        (workdir / "nginx.conf").write_text(
            f"""
worker_processes 1;
error_log {workdir}/error.log warn;
pid {workdir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log {workdir}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {workdir}/privatellm.conf;
}}
"""
        )
        self.workdir = workdir
        self.process = subprocess.Popen(
            [
                nginx_binary(),
                "-p",
                str(workdir),
                "-c",
                str(workdir / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            "nginx did not start: "
            + (workdir / "stderr.log").read_text()
            + (workdir / "error.log").read_text()
        )

    def access_log(self) -> str:
        return (self.workdir / "access.log").read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful stop, by pid
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
