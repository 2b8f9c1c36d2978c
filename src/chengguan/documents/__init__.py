"""Official enforcement documents: layout values, PDF/DOCX rendering, the bureau seal and electronic signatures.

Pure code — no database: callers build a ``layout.DocumentSpec`` from case data and store the bytes returned::

    spec = templates.penalty_decision(..., seal=layout.SealSpec())      # art. 59 items; or build blocks by hand
    pdf = pdf.render_pdf(spec)                                          # A4, fonts subset, empty seal field
    creds = seal.issue_bureau_credentials(authority, "rsa")            # once per bureau; creds.to_json() to store
    sealed = sign.seal_document(pdf, creds, seal.draw_seal_png(authority))   # PAdES (+ SM2 for "sm2" bureaus)
    sign.validate_pdf(sealed.pdf, [creds.ca_cert_pem]).ok

Modules: layout (values), templates (decision/on-the-spot/receipt builders), pdf (+ fonts, linebreak, pagination,
tables), docx, seal (image, certificates), sign (PAdES, validation, SM2 detached), sm2 (国密 primitives).
"""
