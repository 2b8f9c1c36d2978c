"""Merkle trees as RFC 6962 / RFC 9162 (Certificate Transparency) defines them, so any CT tooling can check a proof.

Leaf hash = SHA-256(0x00 || data), interior node = SHA-256(0x01 || left || right); the 0x00/0x01 prefixes keep a
leaf from passing for a node. A tree of n leaves splits at the largest power of two below n, which is the same
as pairing level by level and carrying an odd last node up unchanged (what is done here, bottom-up, in O(n)).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()  # MTH of the empty list


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    level = [leaf_hash(d) for d in leaves]
    levels = [level]
    while len(level) > 1:
        pairs = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])  # promoted: the odd node is its own parent
        level = pairs
        levels.append(level)
    return levels


def merkle_root(leaves: Sequence[bytes]) -> str:
    """The Merkle tree hash (hex) of the leaves' data, in order."""
    if not leaves:
        return EMPTY_ROOT
    return _levels(leaves)[-1][0].hex()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[str]:
    """The audit path (hex, bottom-up) proving that ``leaves[index]`` is in the tree of ``leaves``."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"叶子序号 {index} 超出树的大小 {len(leaves)}")
    path = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):  # else the node is promoted and this level adds nothing
            path.append(level[sibling].hex())
        index //= 2
    return path


def root_from_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[str]) -> str | None:
    """The root an audit path leads to from ``leaf``'s data (RFC 9162 §2.1.3.2); ``None`` if the path is malformed."""
    if not 0 <= index < tree_size:
        return None
    try:
        path = [bytes.fromhex(p) for p in proof]
    except (TypeError, ValueError):
        return None
    if any(len(p) != 32 for p in path):
        return None
    fn, sn, r = index, tree_size - 1, leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return None  # a longer path than the tree is tall
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:  # skip the levels where this node was promoted
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r.hex() if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[str], root: str) -> bool:
    """Whether ``proof`` shows the leaf data ``leaf`` at ``index`` in the tree of ``tree_size`` leaves with ``root``."""
    return root_from_inclusion(leaf, index, tree_size, proof) == root
