"""Cost of the personal-data field cipher (core.fieldcrypt): encryptions, decryptions and search hashes per second
for each algorithm, on the values the platform stores (an 18-character identity number, an 11-digit phone, a
24-character address), and what that means for loading the demo city's ~3,000 encrypted values.

No database: the keyring is a fresh one in memory. Run:
    .venv/bin/python bench/fieldcrypt.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chengguan.core.fieldcrypt import (  # noqa: E402
    AES_GCM,
    ALGORITHM_NAMES,
    SM4_CTR_HMAC,
    SM4_GCM,
    Keyring,
    sm4_gcm_available,
)
from chengguan.core.fieldkeys import new_keyring  # noqa: E402

VALUES = {"id_no": "37020219800101001X", "phone": "13812345678", "address": "青岛市市南区香港中路8号3单元201室"}
DEMO_VALUES = 3_000  # encrypted values the demo city writes (cases, merchants, officers, consents, SMS, deliveries)


def rate(seconds: float, action: Callable[[], object]) -> float:
    """Calls per second of ``action`` over about ``seconds``."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            action()
        n += 200
    return n / elapsed


def keyring(alg: str) -> Keyring:
    ring = new_keyring("aes-256-gcm" if alg == AES_GCM else "sm4")
    if alg == SM4_CTR_HMAC:  # the fallback construction, measured even where SM4-GCM is available
        ring.__class__ = type("CtrKeyring", (Keyring,), {"algorithm": property(lambda self: SM4_CTR_HMAC)})
    return ring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    algorithms = [a for a in (SM4_GCM, SM4_CTR_HMAC, AES_GCM) if a != SM4_GCM or sm4_gcm_available()]
    print(f"SM4-GCM offered by this OpenSSL: {'yes' if sm4_gcm_available() else 'no'}")
    print(f"{'algorithm':<18}{'value':<9}{'encrypt/s':>12}{'decrypt/s':>12}{'µs/enc':>9}{'µs/dec':>9}")
    for alg in algorithms:
        ring = keyring(alg)
        for kind, value in VALUES.items():
            sealed = ring.encrypt(kind, value)
            enc = rate(args.seconds, lambda ring=ring, kind=kind, value=value: ring.encrypt(kind, value))
            # the decryption itself (decrypt() answers a ciphertext it opened lately from memory)
            dec = rate(args.seconds, lambda ring=ring, kind=kind, sealed=sealed: ring._decrypt(kind, sealed))
            print(f"{ALGORITHM_NAMES[alg]:<18}{kind:<9}{enc:>12,.0f}{dec:>12,.0f}{1e6 / enc:>9.1f}{1e6 / dec:>9.1f}")
    ring = keyring(algorithms[0])
    sealed = ring.encrypt("phone", VALUES["phone"])
    cached = rate(args.seconds, lambda: ring.decrypt("phone", sealed))
    print(f"{'(opened lately)':<18}{'phone':<9}{'':>12}{cached:>12,.0f}{'':>9}{1e6 / cached:>9.1f}")
    for cipher, label in (("sm4", "HMAC-SM3"), ("aes-256-gcm", "HMAC-SHA256")):
        ring = new_keyring(cipher)
        hashed = rate(args.seconds, lambda ring=ring: ring.search_hash("phone", "13812345678"))
        print(f"{label:<18}{'phone':<9}{hashed:>12,.0f} hashes/s")
    slowest = min(rate(args.seconds / 2, lambda r=keyring(a): r.encrypt("address", VALUES["address"]))
                  for a in algorithms)  # fmt: skip
    print(f"demo city: {DEMO_VALUES:,} encrypted values ≈ {DEMO_VALUES / slowest * 1000:.0f} ms of encryption "
          "with the slowest algorithm")  # fmt: skip


if __name__ == "__main__":
    main()
