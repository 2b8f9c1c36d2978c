"""Electronic sealing: PAdES signature validation, tampering, trust, and the detached SM2 signature (国密)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from gmssl import sm3 as gmssl_sm3
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pypdf import PdfReader

from chengguan.documents.pdf import render_pdf
from chengguan.documents.seal import draw_seal_png, issue_bureau_credentials
from chengguan.documents.sign import (
    Sm2Detached,
    seal_document,
    seal_pdf,
    sm2_detached,
    validate_pdf,
    verify_sm2_detached,
)
from chengguan.documents.sm2 import sm2_keypair, sm2_public_key, sm2_sign, sm2_verify, sm3_digest
from documents.specimens import AUTHORITY, decision


@pytest.fixture(scope="module")
def seal_png() -> bytes:
    return draw_seal_png(AUTHORITY, 300)


@pytest.fixture(scope="module", params=["rsa", "ecdsa"])
def creds(request):
    return issue_bureau_credentials(AUTHORITY, request.param)


@pytest.fixture(scope="module")
def sealed(creds, seal_png) -> bytes:
    return seal_pdf(render_pdf(decision()), creds, seal_png, location="青岛市西海岸新区")


def test_sealed_decision_validates(creds, sealed) -> None:
    result = validate_pdf(sealed, [creds.ca_cert_pem])
    assert result.intact and result.valid and result.trusted and result.covers_whole_document and result.ok
    assert result.signer == AUTHORITY and result.reason == "行政执法文书电子签章" and result.error is None
    assert datetime.now(UTC) - result.signed_at < timedelta(minutes=5)
    signature = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    assert signature.field_name == "AuthoritySeal" and signature.docmdp_level == MDPPerm.FILL_FORMS


def test_seal_image_is_the_signature_appearance(sealed) -> None:
    reader = PdfReader(io.BytesIO(sealed))
    widget = next(a.get_object() for a in reader.pages[-1]["/Annots"] if a.get_object().get("/T") == "AuthoritySeal")
    appearance = widget["/AP"]["/N"].get_object()
    images = [x.get_object() for x in appearance["/Resources"]["/XObject"].values()]
    assert [img["/Subtype"] for img in images] == ["/Image"] and "/SMask" in images[0]  # transparent PNG
    states = [gs.get_object() for gs in appearance["/Resources"]["/ExtGState"].values()]
    assert [gs["/BM"] for gs in states] == ["/Multiply"]  # ink over the text, which stays legible
    assert "/V" in widget  # the field is filled


def _signed_ranges(pdf: bytes) -> list[range]:
    a, b, c, d = map(int, re.search(rb"/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)\s*\]", pdf).groups())
    return [range(a, a + b), range(c, c + d)]


def test_one_flipped_byte_in_the_signed_range_breaks_the_seal(creds, sealed) -> None:
    offset = sealed.index(b"stream\n") + len(b"stream\n") + 20  # inside page 1's compressed text
    assert any(offset in r for r in _signed_ranges(sealed))
    tampered = sealed[:offset] + bytes([sealed[offset] ^ 0x01]) + sealed[offset + 1 :]
    result = validate_pdf(tampered, [creds.ca_cert_pem])
    assert not result.intact and not result.ok


def test_changed_text_in_an_uncompressed_place_breaks_the_seal(creds, sealed) -> None:
    tampered = sealed.replace(b"/Title", b"/Titlf", 1)
    assert tampered != sealed
    result = validate_pdf(tampered, [creds.ca_cert_pem])
    assert not result.ok and not result.intact


def test_untrusted_root_unsigned_file_and_appended_bytes_are_reported(creds, sealed) -> None:
    stranger = issue_bureau_credentials(AUTHORITY, "ecdsa")
    untrusted = validate_pdf(sealed, [stranger.ca_cert_pem])
    assert untrusted.intact and not untrusted.trusted and not untrusted.ok
    unsigned = validate_pdf(render_pdf(decision()), [creds.ca_cert_pem])
    assert not unsigned.ok and unsigned.error == "文件未签章"
    appended = validate_pdf(sealed + b"\n% a line added after sealing\n", [creds.ca_cert_pem])
    assert appended.intact and not appended.covers_whole_document and not appended.ok
    garbage = validate_pdf(b"%PDF-1.7 not really", [creds.ca_cert_pem])
    assert not garbage.ok and garbage.error


def test_document_without_seal_field_gets_an_invisible_seal(creds) -> None:
    sealed = seal_pdf(render_pdf(decision(sealed=False)), creds)
    assert validate_pdf(sealed, [creds.ca_cert_pem]).ok
    widget = PdfReader(io.BytesIO(sealed)).get_fields()["AuthoritySeal"]
    assert widget["/FT"] == "/Sig"


def test_sm2_bureau_gets_a_detached_signature_that_catches_one_changed_byte(seal_png) -> None:
    creds = issue_bureau_credentials(AUTHORITY, "sm2")
    result = seal_document(render_pdf(decision()), creds, seal_png)
    assert validate_pdf(result.pdf, [creds.ca_cert_pem]).ok  # readers still see a normal PAdES seal
    detached = Sm2Detached.from_json(result.sm2.to_json())
    assert detached.digest_sm3_hex == sm3_digest(result.pdf).hex() and detached.algorithm == "SM2-with-SM3"
    assert verify_sm2_detached(result.pdf, detached, creds.sm2_public_hex)
    middle = len(result.pdf) // 2
    changed = result.pdf[:middle] + bytes([result.pdf[middle] ^ 0x20]) + result.pdf[middle + 1 :]
    assert not verify_sm2_detached(changed, detached, creds.sm2_public_hex)
    _, other_public = sm2_keypair()
    assert not verify_sm2_detached(result.pdf, detached, other_public)


def test_non_sm2_bureau_has_no_detached_signature(creds, seal_png) -> None:
    assert seal_document(render_pdf(decision()), creds, seal_png).sm2 is None
    with pytest.raises(ValueError):
        sm2_detached(b"%PDF", creds)


def test_sm2_signatures_and_sm3_digests() -> None:
    private, public = sm2_keypair()
    assert len(private) == 64 and len(public) == 128 and sm2_public_key(private) == public
    signature = sm2_sign(b"data", private)
    assert sm2_verify(b"data", signature, public) and sm2_verify(b"data", signature, "04" + public)
    assert not sm2_verify(b"datA", signature, public)
    assert sm2_sign(b"data", private) != signature  # a fresh nonce every time
    n = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
    assert not sm2_verify(b"data", signature[:64] + f"{n:064x}", public)  # s out of range
    assert not sm2_verify(b"data", "zz" * 64, public) and not sm2_verify(b"data", signature[:-2], public)
    # sm3: cryptography (OpenSSL) agrees with gmssl and with the GB/T 32905 example.
    assert sm3_digest(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    blob = bytes(range(256)) * 5
    assert sm3_digest(blob).hex() == gmssl_sm3.sm3_hash(list(blob))


def test_public_key_beginning_with_04_is_not_mangled() -> None:
    # gmssl strips a leading "04" with str.lstrip, which also eats the digits of a key that starts with 0 or 4.
    private = f"{11:064x}"
    public = sm2_public_key(private)
    assert public.startswith("04") and len(public) == 128
    signature = sm2_sign(b"data", private, public)
    assert sm2_verify(b"data", signature, public) and sm2_verify(b"data", signature, "04" + public)
