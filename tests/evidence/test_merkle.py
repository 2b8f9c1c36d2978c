"""Merkle trees: RFC 6962 reference roots and proofs, and properties over random trees of 1..300 leaves."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chengguan.evidence.merkle import EMPTY_ROOT, inclusion_proof, leaf_hash, merkle_root, node_hash, verify_inclusion

# The Certificate Transparency reference tree (RFC 6962 test data): its leaves and the roots of its prefixes.
CT_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PROOFS = {
    0: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    5: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
PROPERTY = settings(max_examples=60, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def reference_path(index: int, leaves: list[bytes]) -> list[str]:
    """PATH(m, D[n]) as RFC 6962 §2.1.1 writes it."""
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if index < k:
        return [*reference_path(index, leaves[:k]), reference_root(leaves[k:]).hex()]
    return [*reference_path(index - k, leaves[k:]), reference_root(leaves[:k]).hex()]


def test_ct_reference_roots():
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").hexdigest()
    for n in range(1, 9):
        assert merkle_root(CT_LEAVES[:n]) == CT_ROOTS[n - 1], n


@pytest.mark.parametrize("index", sorted(CT_PROOFS))
def test_ct_reference_proofs(index):
    assert inclusion_proof(CT_LEAVES, index) == CT_PROOFS[index]
    assert verify_inclusion(CT_LEAVES[index], index, 8, CT_PROOFS[index], CT_ROOTS[7])


def test_out_of_range_index_has_no_proof():
    with pytest.raises(IndexError):
        inclusion_proof(CT_LEAVES, 8)
    assert not verify_inclusion(CT_LEAVES[0], 8, 8, CT_PROOFS[0], CT_ROOTS[7])
    assert not verify_inclusion(CT_LEAVES[0], -1, 8, CT_PROOFS[0], CT_ROOTS[7])


leaf_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=300)


@PROPERTY
@given(leaves=leaf_lists)
def test_every_proof_verifies_and_matches_the_rfc(leaves):
    root = merkle_root(leaves)
    assert root == reference_root(leaves).hex()
    for i, leaf in enumerate(leaves):
        proof = inclusion_proof(leaves, i)
        assert proof == reference_path(i, leaves)
        assert verify_inclusion(leaf, i, len(leaves), proof, root)


@PROPERTY
@given(leaves=leaf_lists, data=st.data())
def test_tampering_fails(leaves, data):
    n = len(leaves)
    root = merkle_root(leaves)
    i = data.draw(st.integers(0, n - 1), label="index")
    proof = inclusion_proof(leaves, i)
    leaf = leaves[i]
    other = data.draw(st.binary(max_size=40).filter(lambda b: b != leaf), label="other leaf")
    assert not verify_inclusion(other, i, n, proof, root)
    if n > 1:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: leaves[j] != leaf), label="other index")
        assert not verify_inclusion(leaf, j, n, proof, root)
        k = data.draw(st.integers(0, len(proof) - 1), label="proof step")
        bit = data.draw(st.integers(0, 255), label="flipped bit")
        flipped = bytearray.fromhex(proof[k])
        flipped[bit // 8] ^= 1 << (bit % 8)
        assert not verify_inclusion(leaf, i, n, [*proof[:k], flipped.hex(), *proof[k + 1 :]], root)
        assert not verify_inclusion(leaf, i, n, proof[:-1], root)
    assert not verify_inclusion(leaf, i, n, [*proof, "ab" * 32], root)
    # (The tree size is not bound by the path alone: RFC 9162 trusts it with the root, as Batch keeps them together.)
    assert not verify_inclusion(leaf, i, n, proof, merkle_root([*leaves, b"x"]))
    assert not verify_inclusion(leaf, i, n, [*proof[:-1], "zz" * 32] if proof else ["zz"], root)
