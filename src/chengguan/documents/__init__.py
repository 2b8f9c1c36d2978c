"""Official enforcement documents: layout values, PDF/DOCX rendering, the bureau seal and electronic signatures.

Pure code — no database: callers build a ``layout.DocumentSpec`` from case data and store the bytes returned.
"""
