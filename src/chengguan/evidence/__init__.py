"""Tamper-evident evidence storage (证据存证).

Pure core, no database: ``digests`` (SHA-256 + SM3), ``store`` (content-addressed blobs, local or S3), ``ledger``
(hash-chained entries), ``merkle`` (RFC 6962 tree), ``batches`` (Merkle-sealed batches and item proofs), ``verify``
(first-break verification of the ledger and of single items), ``anchors`` (export to an external notary /
blockchain service), ``review`` (the two-level review of 《行政处罚法》第四十一条). On the database: ``ledger_db``
(appends under the head lock, sealing, proofs, the streaming read), ``ledger_check`` (the whole ledger verified,
in parts by ``ledger_parts`` when it is long), ``repository`` (items and reviews),
``service`` (record, review, read; the case's facts its gates read), ``tasks`` (the minute job's sealing, anchor
export), ``api``.
"""
