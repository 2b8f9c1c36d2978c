"""Tamper-evident evidence storage, pure core (no database).

``digests`` (SHA-256 + SM3), ``store`` (content-addressed blobs, local or S3), ``ledger`` (hash-chained entries),
``merkle`` (RFC 6962 tree), ``batches`` (Merkle-sealed batches and item proofs), ``verify`` (first-break
verification of the ledger and of single items), ``anchors`` (export to an external notary / blockchain service).
"""
