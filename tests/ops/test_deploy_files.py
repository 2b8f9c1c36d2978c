"""The shipped nginx config and systemd units: nginx accepts the config (when nginx is installed), systemd accepts
the units (when systemd-analyze is), HSTS and the client-address headers are set, and nginx's body limits let
through every body the app itself accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chengguan.core.config import Settings
from chengguan.core.limits import FORM_MARGIN, MB

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = DEPLOY / "nginx" / "chengguan.conf"
PROXY = DEPLOY / "nginx" / "chengguan-proxy.inc"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chengguan.test")])
    now = datetime.now(UTC)
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    builder = builder.serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
    cert = builder.sign(key, hashes.SHA256())
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "k.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "c.pem", folder / "k.pem"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path: Path):
    cert, key = _self_signed(tmp_path)
    text = NGINX.read_text().replace("/etc/nginx/conf.d/", f"{tmp_path}/")
    text = text.replace("/etc/nginx/tls/chengguan.crt", str(cert)).replace("/etc/nginx/tls/chengguan.key", str(key))
    (tmp_path / "chengguan.conf").write_text(text)
    shutil.copy(PROXY, tmp_path / PROXY.name)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/chengguan.conf; }}\n"
    )
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not available")
def test_systemd_accepts_the_units():
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, UNITS)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "is not executable" not in line]  # fmt: skip  (no /opt/chengguan here)
    assert problems == []


def _size_mb(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1 / MB, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def test_hsts_and_client_address_headers_are_set():
    conf, proxy = NGINX.read_text(), PROXY.read_text()
    assert re.search(r'add_header Strict-Transport-Security "max-age=(\d+)[^"]*" always;', conf)
    assert int(re.search(r"max-age=(\d+)", conf).group(1)) >= 365 * 24 * 3600  # type: ignore[union-attr]
    # The client's own X-Forwarded-For is replaced, never appended to ($proxy_add_x_forwarded_for would keep it).
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy and "proxy_add_x_forwarded_for" not in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert conf.count("return 301 https://") == 1


def test_nginx_body_limits_let_the_apps_own_limits_decide():
    settings = Settings()
    conf = NGINX.read_text()
    general = _size_mb(re.search(r"^    client_max_body_size (\w+);", conf, re.M).group(1))  # type: ignore[union-attr]
    evidence = _size_mb(re.search(r"evidence\$ \{\s+client_max_body_size (\w+);", conf).group(1))  # type: ignore[union-attr]
    assert general * MB >= max(settings.max_upload_mb * MB + FORM_MARGIN, 30 * MB + FORM_MARGIN, 16 * MB)
    assert evidence * MB >= settings.evidence_max_upload_mb * MB + FORM_MARGIN
