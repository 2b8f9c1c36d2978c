"""国密 primitives: SM2 keys and signatures (gmssl, pure Python) and SM3 digests (OpenSSL via cryptography).

gmssl is used with care: its own nonce generator is ``random.choice`` (not a CSPRNG, and a predictable SM2 nonce
leaks the private key), so every nonce here comes from ``secrets``; its public-key parsing strips a "04" prefix
with ``str.lstrip``, which also eats leading 0/4 digits of the key, so the key is set after construction; and its
verifier skips the range checks on r and s of GB/T 32918.2 §7.1, which are done here.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes
from gmssl import sm2

_N = int(sm2.default_ecc_table["n"], 16)
_G = sm2.default_ecc_table["g"]


def sm3_digest(data: bytes) -> bytes:
    """SM3 hash (GB/T 32905) of the data."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def _xy(public_hex: str) -> str:
    """The 128-digit x‖y form of a public key given with or without the uncompressed-point prefix 04."""
    return public_hex[2:] if len(public_hex) == 130 and public_hex.startswith("04") else public_hex


def _crypt(private_hex: str = "", public_hex: str = "") -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_hex, public_key="")
    crypt.public_key = _xy(public_hex)
    return crypt


def sm2_keypair() -> tuple[str, str]:
    """A fresh SM2 key pair as hex: (private d, public x‖y of 128 hex digits)."""
    d = secrets.randbelow(_N - 2) + 1  # d ∈ [1, n-2], GB/T 32918.1 §6.1
    private_hex = f"{d:064x}"
    public_hex = _crypt(private_hex)._kg(d, _G)
    return private_hex, public_hex


def sm2_public_key(private_hex: str) -> str:
    """The public key (x‖y hex) of an SM2 private key."""
    return _crypt(private_hex)._kg(int(private_hex, 16), _G)


def sm2_sign(data: bytes, private_hex: str, public_hex: str | None = None) -> str:
    """SM2 signature (r‖s, 128 hex digits) of the data with SM3 and the default signer ID (GB/T 35276)."""
    public_hex = public_hex or sm2_public_key(private_hex)
    crypt = _crypt(private_hex, public_hex)
    while True:
        nonce = f"{secrets.randbelow(_N - 1) + 1:064x}"
        signature = crypt.sign_with_sm3(data, nonce)
        if signature:  # None in the negligible case r = 0 or r + k = n: draw another nonce
            return signature


def sm2_verify(data: bytes, signature_hex: str, public_hex: str) -> bool:
    """Whether ``signature_hex`` (r‖s) is a valid SM2-with-SM3 signature of the data under the public key."""
    try:
        if len(signature_hex) != 128 or len(_xy(public_hex)) != 128:
            return False
        r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
        if not (0 < r < _N and 0 < s < _N):
            return False
        return bool(_crypt(public_hex=public_hex).verify_with_sm3(signature_hex, data))
    except ValueError:
        return False
