"""Document rendering and sealing latency: a two-page 行政处罚决定书, rendered to PDF and electronically sealed.

Target (documents issue): render + seal p95 ≤ 300 ms. No database: the spec is built from plain values, the bureau
credentials are a fresh demo CA. The first render of a process converts the glyphs it needs (reported apart as
"cold"); the timed runs are warm, as in a server. Also times validation, the SM2 detached signature and DOCX. Run:
    .venv/bin/python bench/documents.py [--runs 50] [--algorithm rsa|ecdsa|sm2]
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
logging.disable(logging.WARNING)  # pyHanko and fontTools chatter

from chengguan.documents.docx import render_docx  # noqa: E402
from chengguan.documents.pdf import render_pdf_layout  # noqa: E402
from chengguan.documents.seal import draw_seal_png, issue_bureau_credentials  # noqa: E402
from chengguan.documents.sign import seal_document, seal_pdf, validate_pdf, verify_sm2_detached  # noqa: E402
from documents.specimens import AUTHORITY, decision  # noqa: E402  (tests/documents/specimens.py)

TARGET_P95_MS = 300


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(label: str, values: list[float]) -> None:
    """One line of figures."""
    print(
        f"  {label:<28} p50 {percentile(values, 50):7.1f} ms  p95 {percentile(values, 95):7.1f} ms  "
        f"max {max(values):7.1f} ms"
    )


def main() -> None:
    """Time the pipeline and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--algorithm", choices=("rsa", "ecdsa", "sm2"), default="rsa")
    args = parser.parse_args()

    start = time.perf_counter()
    creds = issue_bureau_credentials(AUTHORITY, args.algorithm)
    seal_png = draw_seal_png(AUTHORITY)
    print(f"credentials ({args.algorithm}) + seal image: {(time.perf_counter() - start) * 1000:.0f} ms")
    spec = decision()
    start = time.perf_counter()
    first = render_pdf_layout(spec)
    print(
        f"cold first render (glyph conversion): {(time.perf_counter() - start) * 1000:.0f} ms, "
        f"{first.pages} pages, {len(first.data) / 1024:.0f} KiB"
    )
    sealed = seal_pdf(first.data, creds, seal_png)
    print(f"sealed file: {len(sealed) / 1024:.0f} KiB\n{args.runs} warm runs:")

    renders = timed(args.runs, lambda: render_pdf_layout(spec))
    seals = timed(args.runs, lambda: seal_pdf(first.data, creds, seal_png))
    both = timed(args.runs, lambda: seal_pdf(render_pdf_layout(spec).data, creds, seal_png))
    report("render_pdf", renders)
    report("seal_pdf", seals)
    report("render_pdf + seal_pdf", both)
    report("validate_pdf", timed(args.runs, lambda: validate_pdf(sealed, [creds.ca_cert_pem])))
    report("render_docx", timed(max(5, args.runs // 5), lambda: render_docx(decision(seal_png))))
    if args.algorithm == "sm2":
        result = seal_document(first.data, creds, seal_png)
        report(
            "seal_document (PAdES + SM2)",
            timed(max(5, args.runs // 5), lambda: seal_document(first.data, creds, seal_png)),
        )
        report(
            "verify_sm2_detached", timed(10, lambda: verify_sm2_detached(result.pdf, result.sm2, creds.sm2_public_hex))
        )
    p95 = percentile(both, 95)
    print(
        f"render + seal p95 {p95:.1f} ms — target ≤ {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
