"""The bureau's seal: the red round image (Pillow) and the demo certificate it signs with (cryptography).

A government body's seal (国务院关于国家行政机关和企业事业单位社会团体印章管理的规定): round, 42 mm, the
five-pointed star in the centre, the body's full name along the upper arc, red ink. The image is what a reader
sees; the signature (sign.py) is what proves it — the certificate here is a demo one, a production bureau uses
one issued by its e-seal CA (GB/T 38540) instead.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont

from .fonts import find_face
from .sm2 import sm2_keypair

SEAL_RED = (218, 32, 32)
ALGORITHMS = ("rsa", "ecdsa", "sm2")


@lru_cache(maxsize=32)
def draw_seal_png(authority: str, size_px: int = 600, bottom_text: str | None = None) -> bytes:
    """A red round seal as a transparent PNG: ring, centred star, ``authority`` along the upper arc."""
    scale = 3  # draw large and shrink: Pillow's shapes have no anti-aliasing of their own
    size = size_px * scale
    img = Image.new("RGBA", (size, size), (*SEAL_RED, 0))
    draw = ImageDraw.Draw(img)
    c, radius = size / 2, size / 2
    ring = size * 0.036
    ink = (*SEAL_RED, 255)
    # Pillow strokes inwards from the box, so the ring's outer edge is the image edge: 42 mm image = 42 mm seal.
    draw.ellipse((0, 0, size - 1, size - 1), outline=ink, width=round(ring))
    _star(draw, c, c, radius * 0.33, ink)
    char_px = size * 0.13
    _arc_text(img, authority, c, radius - ring - size * 0.018 - char_px * 0.5, char_px, ink)
    if bottom_text:
        font = _font(round(size * 0.085))
        width = draw.textlength(bottom_text, font=font)
        draw.text((c - width / 2, c + radius * 0.45), bottom_text, font=font, fill=ink)
    alpha = img.getchannel("A").resize((size_px, size_px), Image.Resampling.LANCZOS)
    img = Image.new("RGBA", (size_px, size_px), (*SEAL_RED, 0))
    # One ink colour everywhere, coverage in the alpha channel only: the PDF's colour plane of the image then
    # deflates to nearly nothing (sealing time and file size), and soft edges never darken.
    img.putalpha(alpha)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()


@lru_cache(maxsize=8)
def _font(px: int) -> ImageFont.FreeTypeFont:
    face = find_face("serif", bold=True)  # seals are cut in a Song (serif) face
    return ImageFont.truetype(str(face.path), px, index=face.index)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, ink) -> None:
    """A five-pointed star, one point up."""
    points = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382  # inner radius of a regular pentagram
        angle = math.radians(-90 + 36 * i)
        points.append((cx + rr * math.cos(angle), cy + rr * math.sin(angle)))
    draw.polygon(points, fill=ink)


def _arc_text(img: Image.Image, text: str, c: float, r: float, char_px: float, ink) -> None:
    """Characters on the upper arc, clockwise from lower left, each upright towards the rim."""
    n = len(text)
    if not n:
        return
    # Long names get a wider arc and narrower characters, as seal cutters do; short ones stay near 180°.
    span = min(250.0, max(150.0, 16.0 * n + 20))
    step = span / max(n - 1, 1)
    arc_len = math.radians(step) * r
    squeeze = min(1.0, arc_len * 0.92 / char_px)
    font = _font(round(char_px))
    for i, ch in enumerate(text):
        angle = -span / 2 + step * i if n > 1 else 0.0
        tile = Image.new("RGBA", (round(char_px * 1.3), round(char_px * 1.3)), (0, 0, 0, 0))
        tdraw = ImageDraw.Draw(tile)
        left, top, right, bottom = tdraw.textbbox((0, 0), ch, font=font)
        tdraw.text(
            ((tile.width - (right - left)) / 2 - left, (tile.height - (bottom - top)) / 2 - top),
            ch,
            font=font,
            fill=ink,
        )
        if squeeze < 1.0:
            tile = tile.resize((max(1, round(tile.width * squeeze)), tile.height), Image.Resampling.LANCZOS)
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
        x = c + r * math.sin(math.radians(angle)) - tile.width / 2
        y = c - r * math.cos(math.radians(angle)) - tile.height / 2
        img.alpha_composite(tile, (round(x), round(y)))


@dataclass(frozen=True)
class BureauCredentials:
    """A bureau's signing material as PEM/hex strings, ready to store in a file or a DB column (to_json)."""

    authority: str
    algorithm: str  # "rsa" | "ecdsa" | "sm2" (sm2: an ECDSA key for PAdES plus an SM2 key pair)
    key_pem: str  # PKCS#8, encrypted when a passphrase was given
    cert_pem: str
    ca_cert_pem: str
    sm2_private_hex: str | None = None
    sm2_public_hex: str | None = None
    sm2_private_enc: str | None = None  # the SM2 key sealed under the signing passphrase (documents.signer)

    def to_json(self) -> str:
        """Serialise (the private keys included: store it as a secret)."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> BureauCredentials:
        """Read back what to_json wrote."""
        return cls(**json.loads(text))

    def certificate(self) -> x509.Certificate:
        """The bureau's signing certificate."""
        return x509.load_pem_x509_certificate(self.cert_pem.encode())

    def ca_certificate(self) -> x509.Certificate:
        """The CA certificate to trust when validating this bureau's seals."""
        return x509.load_pem_x509_certificate(self.ca_cert_pem.encode())


@dataclass(frozen=True)
class DemoCA:
    """A demo certificate authority (PEM), so every bureau of one platform can chain to a single trusted root."""

    cert_pem: str
    key_pem: str


def issue_demo_ca(name: str = "城管执法平台演示电子印章根证书", *, now: datetime | None = None) -> DemoCA:
    """A self-signed demo root (ECDSA P-256, ten years) for issuing bureau seal certificates."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name, "城管执法平台（演示）")
    cert = (
        _builder(subject, subject, key.public_key(), now - timedelta(days=1), now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return DemoCA(cert.public_bytes(pem).decode(), key_pem.decode())


def issue_bureau_credentials(
    authority: str,
    algorithm: str = "rsa",
    *,
    ca: DemoCA | None = None,
    valid_days: int = 3 * 365,
    passphrase: bytes | None = None,
    ca_passphrase: bytes | None = None,
    now: datetime | None = None,
) -> BureauCredentials:
    """A seal-signing certificate for the bureau (digitalSignature + nonRepudiation), from ``ca`` (its key encrypted
    under ``ca_passphrase`` when given) or a fresh one; the new key encrypted under ``passphrase`` when given."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}")
    now = now or datetime.now(UTC)
    # A fresh root is named after the bureau: two roots with one name confuse path building.
    ca = ca or issue_demo_ca(f"{authority}演示CA", now=now)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
    ca_key = serialization.load_pem_private_key(ca.key_pem.encode(), password=ca_passphrase)
    key = rsa.generate_private_key(65537, 2048) if algorithm == "rsa" else ec.generate_private_key(ec.SECP256R1())
    not_after = min(now + timedelta(days=valid_days), ca_cert.not_valid_after_utc)
    cert = (
        _builder(
            _name(authority, authority, unit="电子印章"),
            ca_cert.subject,
            key.public_key(),
            now - timedelta(days=1),
            not_after,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    sm2_private, sm2_public = sm2_keypair() if algorithm == "sm2" else (None, None)
    return BureauCredentials(
        authority=authority,
        algorithm=algorithm,
        key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode(),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        ca_cert_pem=ca.cert_pem,
        sm2_private_hex=sm2_private,
        sm2_public_hex=sm2_public,
    )


def _name(common: str, org: str, unit: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(common, 64)))
    return x509.Name(attrs)


def _fit(text: str, limit: int) -> str:
    """Cut to ``limit`` UTF-8 bytes: a common name is at most 64 (RFC 5280), about 21 Chinese characters."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text


def _builder(subject, issuer, public_key, not_before, not_after) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """CA: keyCertSign + cRLSign; seal certificate: digitalSignature + nonRepudiation (contentCommitment)."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
