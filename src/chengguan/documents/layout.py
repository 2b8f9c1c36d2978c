"""What an enforcement document says, independent of PDF or DOCX: plain frozen values the renderers read.

A ``DocumentSpec`` is built from case data by whoever owns the case (templates.py has builders for the common
ones); the renderers never look anything up. Text is Chinese as it will be printed; identifiers stay English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Heading:
    """A section heading inside the body, e.g. "一、违法事实和证据"."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text; an optional bold lead-in label ("当事人：") and the usual two-character first-line indent."""

    text: str
    label: str | None = None
    indent: bool = True


@dataclass(frozen=True)
class FieldTable:
    """Label → value rows (the party block of a notice, the header of an approval form), drawn as a ruled table."""

    rows: tuple[tuple[str, str], ...]
    caption: str | None = None


@dataclass(frozen=True)
class Table:
    """A ruled table with a header row repeated on every page: 证据清单, 送达回证, 案卷目录."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths; equal when omitted
    caption: str | None = None

    def __post_init__(self) -> None:
        """Every row has one cell per header column."""
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"row {row!r} has {len(row)} cells, header has {len(self.header)}")
        if self.widths is not None and len(self.widths) != len(self.header):
            raise ValueError("one width per column")


@dataclass(frozen=True)
class SignatureField:
    """One "label：____" slot of a signature line; the value is printed on the rule, a signature image above it."""

    label: str
    value: str = ""
    image: bytes | None = None  # PNG of a handwritten signature (transparent background)
    blank_chars: int = 6  # length of the rule, in characters, when nothing is filled in
    slot: str = ""  # who signs here by hand: "officer:<id>" or "party" (documents.signatures); "" for no one


@dataclass(frozen=True)
class SignatureLine:
    """A row of signature slots, e.g. 执法人员签名 / 执法证号 / 日期 (art. 52: on-the-spot decisions are signed)."""

    fields: tuple[SignatureField, ...]


@dataclass(frozen=True)
class Closing:
    """The issuing authority and the date, right-aligned at the end; the seal is pressed over them (art. 59)."""

    authority: str
    date: str  # as printed, see chinese_date()


@dataclass(frozen=True)
class Spacer:
    """Vertical space, in body lines."""

    lines: float = 1.0


Block = Heading | Paragraph | FieldTable | Table | SignatureLine | Closing | Spacer


@dataclass(frozen=True)
class SealSpec:
    """Where the authority's seal goes: always a signature field over the closing block, the image only if given.

    Leave ``png`` out for a document that will be sealed electronically (sign.seal_pdf draws the seal as the
    signature's appearance, so an unsigned draft never shows one); pass it for a print-only copy.
    """

    png: bytes | None = None
    diameter_mm: float = 42.0  # the common round seal of a government body is 42 mm
    field_name: str = "AuthoritySeal"


@dataclass(frozen=True)
class DocumentSpec:
    """One official document: title, number, body blocks, and optionally a verification QR code and a seal."""

    kind: str  # e.g. "penalty_decision"; for the caller, renderers ignore it
    title: str  # "行政处罚决定书"
    authority: str  # issuing bureau, full name, printed above the title
    document_no: str  # "青西综执罚决字〔2026〕第0012号"
    blocks: tuple[Block, ...]
    verify_url: str | None = None  # printed as a QR code with "扫码核验" on the last page
    seal: SealSpec | None = None
    # Labels of FieldTable rows a drafter may still edit; the rest come from the case record. Renderers ignore it.
    editable_fields: frozenset[str] = field(default_factory=frozenset)
    footer_note: str | None = None  # e.g. "本文书一式两份，一份交当事人，一份存档。"
    stamp: str | None = None  # printed large and red across every page, e.g. "作废" for a voided draft

    def text(self) -> str:
        """All printed text of the document, in order (for font subsetting and search)."""
        parts = [self.authority, self.title, self.document_no]
        for block in self.blocks:
            parts.extend(block_text(block))
        if self.footer_note:
            parts.append(self.footer_note)
        if self.stamp:
            parts.append(self.stamp)
        return "\n".join(parts)


def block_text(block: Block) -> list[str]:
    """The printed strings of one block."""
    match block:
        case Heading(text=text):
            return [text]
        case Paragraph(text=text, label=label):
            return [(label or "") + text]
        case FieldTable(rows=rows, caption=caption):
            return [caption or "", *(f"{k}{v}" for k, v in rows)]
        case Table(header=header, rows=rows, caption=caption):
            return [caption or "", *header, *(cell for row in rows for cell in row)]
        case SignatureLine(fields=fields):
            return [f.label + f.value for f in fields]
        case Closing(authority=authority, date=when):
            return [authority, when]
    return []


def chinese_date(day: date) -> str:
    """A date as official documents print it since GB/T 9704-2012: Arabic numerals, e.g. 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"
