"""The seal image and the bureau's demo certificate."""

from __future__ import annotations

import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from PIL import Image

from chengguan.documents.seal import (
    SEAL_RED,
    BureauCredentials,
    draw_seal_png,
    issue_bureau_credentials,
    issue_demo_ca,
)
from documents.specimens import AUTHORITY


def test_seal_is_a_transparent_red_round_image() -> None:
    img = Image.open(io.BytesIO(draw_seal_png(AUTHORITY, 400)))
    assert img.format == "PNG" and img.mode == "RGBA" and img.size == (400, 400)
    pixels = img.load()
    assert pixels[0, 0][3] == 0 and pixels[399, 399][3] == 0  # corners outside the ring are transparent
    opaque = [pixels[x, y] for x in range(400) for y in range(400) if pixels[x, y][3] > 200]
    assert len(opaque) > 400 * 400 * 0.08  # ring, star and characters
    assert all(r > 150 and g < 100 and b < 100 for r, g, b, _ in opaque)  # red ink only, no black
    assert pixels[200, 200][:3] == SEAL_RED  # the star's centre
    assert pixels[200, 2][3] > 200 and pixels[2, 200][3] > 200  # the ring touches the edge at top and left


def test_name_on_the_arc_changes_the_image() -> None:
    a, b = draw_seal_png(AUTHORITY, 200), draw_seal_png("黄岛区城市管理局", 200)
    assert a != b and Image.open(io.BytesIO(b)).size == (200, 200)
    bottom = Image.open(io.BytesIO(draw_seal_png("黄岛区城市管理局", 200, bottom_text="行政执法专用章")))
    plain = Image.open(io.BytesIO(b))
    lower = (60, 130, 140, 160)  # below the star, where the bottom text goes
    assert bottom.crop(lower).getextrema()[3][1] > 200 and plain.crop(lower).getextrema()[3][1] == 0


@pytest.mark.parametrize("algorithm", ["rsa", "ecdsa", "sm2"])
def test_credentials_chain_to_the_ca_with_seal_key_usage(algorithm: str) -> None:
    creds = issue_bureau_credentials(AUTHORITY, algorithm)
    cert, ca = creds.certificate(), creds.ca_certificate()
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AUTHORITY
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == AUTHORITY
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    key = serialization.load_pem_private_key(creds.key_pem.encode(), password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    if algorithm == "rsa":
        key.sign(b"x", padding.PKCS1v15(), cert.signature_hash_algorithm)
    assert (creds.sm2_private_hex is not None) == (algorithm == "sm2")
    assert BureauCredentials.from_json(creds.to_json()) == creds
    assert json.loads(creds.to_json())["authority"] == AUTHORITY


def test_bureaus_of_one_platform_share_a_root() -> None:
    ca = issue_demo_ca()
    a = issue_bureau_credentials("市南区综合行政执法局", "ecdsa", ca=ca)
    b = issue_bureau_credentials("市北区综合行政执法局", "ecdsa", ca=ca)
    assert a.ca_cert_pem == b.ca_cert_pem == ca.cert_pem
    assert a.certificate().issuer == b.certificate().issuer


def test_passphrase_protects_the_key_and_long_names_fit() -> None:
    long_name = "青岛市西海岸新区城市管理和综合行政执法局灵山卫街道执法中队"
    creds = issue_bureau_credentials(long_name, "ecdsa", passphrase=b"s3cret")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(creds.key_pem.encode(), password=None)
    assert serialization.load_pem_private_key(creds.key_pem.encode(), password=b"s3cret")
    cert = creds.certificate()
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert len(common.encode()) <= 64 and long_name.startswith(common)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == long_name


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError):
        issue_bureau_credentials(AUTHORITY, "dsa")
