"""The callback security of the simulated gateway and the platform's verifier, with real keys (RSA-2048, AES-256-GCM):
a byte flipped in the body or a header is refused, as is a stale timestamp, an unknown serial or another key; a
callback that verifies decrypts to what the gateway sent. No database: the gateway's side is driven by hand."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chengguan.payments import signing
from chengguan.payments.signing import NotifyRefused, NotifyVerifier

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
API_V3 = b"0123456789abcdefghijABCDEFGHIJ01"  # 32 bytes: AES-256
SERIAL = signing.serial_of(KEY.public_key())


def callback(*, at: datetime = NOW, key: rsa.RSAPrivateKey = KEY, api_v3: bytes = API_V3, amount: int = 50_000):
    resource = {"out_trade_no": "CG2026031610000012345678", "transaction_id": "4200000001",
                "trade_state": "SUCCESS", "success_time": "2026-03-16T10:00:00+08:00",
                "amount": {"total": amount, "currency": "CNY"}}  # fmt: skip
    nonce = secrets.token_hex(6)
    envelope = {"id": "n-1", "event_type": "TRANSACTION.SUCCESS", "resource": {
        "algorithm": signing.AEAD, "associated_data": "transaction", "nonce": nonce,
        "ciphertext": signing.encrypt_resource(api_v3, json.dumps(resource).encode(), associated_data="transaction",
                                               nonce=nonce)}}  # fmt: skip
    body = json.dumps(envelope, separators=(",", ":")).encode()
    ts, header_nonce = str(int(at.timestamp())), secrets.token_hex(16)
    headers = {signing.TIMESTAMP: ts, signing.NONCE: header_nonce, signing.SERIAL: signing.serial_of(key.public_key()),
               signing.SIGNATURE: signing.sign(key, ts, header_nonce, body)}  # fmt: skip
    return headers, body


VERIFIER = NotifyVerifier({SERIAL: KEY.public_key()}, API_V3)


def test_a_genuine_callback_verifies_and_decrypts():
    headers, body = callback()
    v = VERIFIER.verify(headers, body, NOW)
    assert v.resource["amount"]["total"] == 50_000 and v.serial == SERIAL and v.envelope["id"] == "n-1"
    # header names are case-insensitive (what a proxy or ASGI hands over)
    assert VERIFIER.verify({k.lower(): v for k, v in headers.items()}, body, NOW).resource == v.resource


def test_the_signed_message_is_timestamp_nonce_body_each_with_a_newline():
    assert signing.message("1700000000", "abc", b'{"a":1}') == b'1700000000\nabc\n{"a":1}\n'


@pytest.mark.parametrize("position", [0, 17, -2])
def test_a_flipped_byte_in_the_body_is_refused(position: int):
    headers, body = callback()
    tampered = bytearray(body)
    tampered[position] ^= 0x01
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify(headers, bytes(tampered), NOW)
    assert exc.value.status_code == 401 and exc.value.code == "payment.notify.signature"


@pytest.mark.parametrize("header", [signing.NONCE, signing.TIMESTAMP, signing.SIGNATURE])
def test_a_flipped_character_in_a_signed_header_is_refused(header: str):
    headers, body = callback()
    value = headers[header]
    # the timestamp changed by one second stays in the window: only the signature can tell
    flipped = (
        str(int(value) + 1)
        if header == signing.TIMESTAMP
        else value[:5] + ("A" if value[5] != "A" else "B") + value[6:]
    )
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify({**headers, header: flipped}, body, NOW)
    assert exc.value.code == "payment.notify.signature"


def test_an_unknown_serial_or_a_missing_header_is_refused():
    headers, body = callback()
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify({**headers, signing.SERIAL: "0" * 40}, body, NOW)
    assert exc.value.code == "payment.notify.serial"
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify({k: v for k, v in headers.items() if k != signing.NONCE}, body, NOW)
    assert exc.value.code == "payment.notify.header_missing"


def test_a_callback_signed_by_another_key_under_our_serial_is_refused():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers, body = callback(key=other)
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify({**headers, signing.SERIAL: SERIAL}, body, NOW)
    assert exc.value.code == "payment.notify.signature"


@pytest.mark.parametrize(("offset_s", "ok"), [(-299, True), (299, True), (-301, False), (301, False), (-3600, False)])
def test_the_timestamp_must_be_within_five_minutes_of_ours(offset_s: int, ok: bool):
    headers, body = callback(at=NOW + timedelta(seconds=offset_s))
    if ok:
        VERIFIER.verify(headers, body, NOW)
        return
    with pytest.raises(NotifyRefused) as exc:  # a callback captured and replayed later is stale
        VERIFIER.verify(headers, body, NOW)
    assert exc.value.code == "payment.notify.stale"


def test_a_resource_encrypted_under_another_api_key_is_refused_even_when_signed():
    headers, body = callback(api_v3=b"X" * 32)
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify(headers, body, NOW)
    assert exc.value.code == "payment.notify.decrypt"


def test_aes_gcm_authenticates_the_associated_data_and_the_nonce():
    ciphertext = signing.encrypt_resource(API_V3, b"{}", associated_data="transaction", nonce="aaaaaaaaaaaa")
    assert signing.decrypt_resource(API_V3, ciphertext, associated_data="transaction", nonce="aaaaaaaaaaaa") == b"{}"
    for ad, nonce in (("refund", "aaaaaaaaaaaa"), ("transaction", "aaaaaaaaaaab")):
        with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
            signing.decrypt_resource(API_V3, ciphertext, associated_data=ad, nonce=nonce)
    assert len(base64.b64decode(ciphertext)) == 2 + 16  # the plaintext and GCM's 16-byte tag


def test_a_body_that_verifies_but_is_not_json_is_a_400():
    ts, nonce, body = str(int(NOW.timestamp())), "n", b"not json"
    headers = {signing.TIMESTAMP: ts, signing.NONCE: nonce, signing.SERIAL: SERIAL,
               signing.SIGNATURE: signing.sign(KEY, ts, nonce, body)}  # fmt: skip
    with pytest.raises(NotifyRefused) as exc:
        VERIFIER.verify(headers, body, NOW)
    assert exc.value.status_code == 400 and exc.value.code == "payment.notify.malformed"
