"""Electronic seal on a rendered PDF: a PAdES baseline (B-B) signature with pyHanko, validation, and the SM2 option.

行政处罚法 art. 59: the decision must bear the authority's seal. The PDF renderer places an empty signature field
over the closing block; sealing signs that field, with the seal image as the signature's appearance when given
(the usual choice: an unsigned draft then never shows a seal). The signature certifies the document (DocMDP:
only form filling and further signatures allowed afterwards), so any later edit shows up in every PDF reader.

A bureau configured for 国密 ("sm2") additionally gets a detached SM2-with-SM3 signature over the SM3 digest of the
sealed file — PDF readers cannot validate SM2, so the PAdES signature stays for them and the SM2 one is checked by
our own verification page (``verify_sm2_detached``).

pyHanko's synchronous API runs its own event loop: call these from a worker thread, not inside a running loop.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache

from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from PIL import Image
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko.stamp.noop import NoOpStampStyle
from pyhanko.stamp.static import StaticContentStamp
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .seal import BureauCredentials
from .signer import SigningKey
from .sm2 import sm2_sign, sm2_verify, sm3_digest

__all__ = [
    "SealedDocument",
    "Sm2Detached",
    "ValidationResult",
    "seal_document",
    "seal_pdf",
    "sm2_detached",
    "sm2_sign",
    "sm2_verify",
    "validate_pdf",
    "verify_sm2_detached",
]

DEFAULT_FIELD = "AuthoritySeal"
# Room for the CMS signature, in bytes of the hex string: an RSA-2048 signature with two certificates is ~2.5 kB.
_RESERVED_BYTES = 16384


def seal_pdf(
    pdf_bytes: bytes,
    credentials: BureauCredentials,
    seal_png: bytes | None = None,
    *,
    reason: str = "行政执法文书电子签章",
    location: str | None = None,
    field_name: str = DEFAULT_FIELD,
    passphrase: bytes | None = None,
    timestamper: signers.timestamps.TimeStamper | None = None,
    key: SigningKey | None = None,
) -> bytes:
    """Seal the PDF: sign its seal field (art. 59), drawing ``seal_png`` there; invisible if it has no such field.
    ``key`` signs (documents.signer: the decrypted local key or an external signer); without it the credentials'
    own key is opened with ``passphrase``."""
    if key is not None:
        signer: signers.Signer = _KeySigner(key, credentials.cert_pem, credentials.ca_cert_pem)
    else:
        signer = _signer(credentials.key_pem, credentials.cert_pem, credentials.ca_cert_pem, passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev, filled_status=False)}
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=credentials.authority,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,  # a receipt may still be signed into the document later
    )
    if seal_png is not None and field_name in existing:
        style = _InkStampStyle(
            background=PdfImage(_decoded(seal_png)),
            background_opacity=1.0,
            border_width=0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
            ),
        )
    else:
        style = NoOpStampStyle()  # the seal is already drawn on the page, or there is no place for one
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=None if field_name in existing else fields.SigFieldSpec(field_name),
    )
    # A fixed reservation spares pyHanko a dry-run signature to measure the CMS size (half the sealing time).
    reserved = _RESERVED_BYTES + (8192 if timestamper else 0)
    out = pdf_signer.sign_pdf(writer, output=io.BytesIO(), bytes_reserved=reserved)
    return out.getvalue()


class _InkStamp(StaticContentStamp):
    """The seal image composited like ink (multiply): the black text under it stays legible, as on paper."""

    def _render_background(self) -> bytes:
        command = super()._render_background()
        opacity = generic.FloatObject(self.style.background_opacity)
        gs = {"/CA": opacity, "/ca": opacity, "/BM": pdf_name("/Multiply")}
        self.set_resource(
            category=content.ResourceType.EXT_G_STATE,
            name=pdf_name("/BackgroundGS"),
            value=generic.DictionaryObject({pdf_name(k): v for k, v in gs.items()}),
        )
        return command


@dataclass(frozen=True)
class _InkStampStyle(StaticStampStyle):
    def create_stamp(self, writer, box, text_params) -> _InkStamp:
        return _InkStamp(writer=writer, style=self, box=box)


class _KeptKeySigner(signers.SimpleSigner):
    """SimpleSigner that parses its private key once: pyHanko re-parses it per signature, and an RSA key check
    takes ~50 ms in OpenSSL 3."""

    def __init__(self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, **kwargs) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the parsed key (RSA PKCS#1 v1.5 or ECDSA, the mechanisms our certificates use)."""
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = getattr(hashes, digest_algorithm.upper().replace("-", "_"))()
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, asym_padding.PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


class _KeySigner(signers.Signer):
    """pyHanko signer whose raw signature comes from a ``SigningKey`` (local or in an HSM): the key never reaches
    pyHanko, only the bytes to sign and the signature."""

    def __init__(self, key: SigningKey, cert_pem: str, ca_cert_pem: str) -> None:
        super().__init__(
            signing_cert=next(iter(load_certs_from_pemder_data(cert_pem.encode()))),
            cert_registry=SimpleCertificateStore.from_certs(load_certs_from_pemder_data(ca_cert_pem.encode())),
        )
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # only the size matters (the reservation is fixed anyway): no call to an HSM for it
            return bytes(512)
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        return self._key.sign(data, mechanism, digest_algorithm)


@lru_cache(maxsize=8)
def _decoded(png: bytes) -> Image.Image:
    """The seal image decoded once (a bureau seals with the same image all day)."""
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@lru_cache(maxsize=32)
def _signer(key_pem: str, cert_pem: str, ca_cert_pem: str, passphrase: bytes | None) -> _KeptKeySigner:
    """The bureau's signer, parsed once per process and set of credentials."""
    key = serialization.load_pem_private_key(key_pem.encode(), password=passphrase)
    return _KeptKeySigner(
        key,
        signing_cert=next(iter(load_certs_from_pemder_data(cert_pem.encode()))),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=SimpleCertificateStore.from_certs(load_certs_from_pemder_data(ca_cert_pem.encode())),
    )


@dataclass(frozen=True)
class ValidationResult:
    """What a verifier needs to tell: unchanged since sealing, cryptographically valid, trusted, by whom and when."""

    intact: bool  # the signed bytes hash to the signed digest
    valid: bool  # the signature over that digest verifies with the certificate's key
    trusted: bool  # the certificate chains to one of the trust roots (and is within its validity)
    signer: str
    signed_at: datetime | None  # time the signer claims (no time-stamp authority on an intranet)
    reason: str | None
    covers_whole_document: bool  # False when bytes were appended after the seal
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Sealed, unchanged, by a trusted bureau."""
        return self.intact and self.valid and self.trusted and self.covers_whole_document


def _as_asn1_certs(roots: Iterable[pyca_x509.Certificate | str | bytes]) -> list:
    certs = []
    for root in roots:
        if isinstance(root, pyca_x509.Certificate):
            root = root.public_bytes(serialization.Encoding.PEM)
        certs.extend(load_certs_from_pemder_data(root.encode() if isinstance(root, str) else root))
    return certs


def validate_pdf(pdf_bytes: bytes, trust_roots: Iterable[pyca_x509.Certificate | str | bytes]) -> ValidationResult:
    """Validate every signature of the PDF against the trust roots; the result of the last, ANDed over all."""
    context = ValidationContext(trust_roots=_as_asn1_certs(trust_roots), allow_fetching=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged file is a failed validation, never a crash of the verify page
        return _failed(f"无法读取文件：{exc}")
    if not embedded:
        return _failed("文件未签章")
    results = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, context)
        except Exception as exc:
            return _failed(f"签章无法校验：{exc}")
        results.append((sig, status))
    last_sig, last = results[-1]
    # An earlier signature is judged on whether the later revisions were changes its DocMDP level allows.
    later_ok = all(status.docmdp_ok is not False for _, status in results[:-1])
    return ValidationResult(
        intact=all(status.intact for _, status in results),
        valid=all(status.valid for _, status in results),
        trusted=all(status.trusted for _, status in results),
        signer=last.signing_cert.subject.native.get("common_name", ""),
        signed_at=last.signer_reported_dt,
        reason=_text(last_sig.sig_object.get("/Reason")),
        covers_whole_document=later_ok and last.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        error=None if later_ok else "签章后文件有不允许的修改",
    )


def _text(value) -> str | None:
    return None if value is None else str(value)


def _failed(message: str) -> ValidationResult:
    return ValidationResult(False, False, False, "", None, None, False, message)


@dataclass(frozen=True)
class Sm2Detached:
    """A detached 国密 signature: SM2-with-SM3 over the SM3 digest of the sealed PDF, stored beside it."""

    digest_sm3_hex: str
    signature_hex: str
    public_key_hex: str  # for reference only: verify with the key on record, never with this one
    signer: str
    algorithm: str = "SM2-with-SM3"

    def to_json(self) -> str:
        """Serialise for storage next to the document."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Sm2Detached:
        """Read back what to_json wrote."""
        return cls(**json.loads(text))


@dataclass(frozen=True)
class SealedDocument:
    """A sealed PDF and, for a 国密 bureau, its detached SM2 signature."""

    pdf: bytes
    sm2: Sm2Detached | None


def sm2_detached(pdf_bytes: bytes, credentials: BureauCredentials, key: SigningKey | None = None) -> Sm2Detached:
    """Sign the SM3 digest of the file with the bureau's SM2 key (held by ``key`` when given)."""
    if not credentials.sm2_public_hex or not (key is not None or credentials.sm2_private_hex):
        raise ValueError(f"{credentials.authority} has no SM2 key (algorithm {credentials.algorithm!r})")
    digest = sm3_digest(pdf_bytes)
    if key is not None:
        signature = key.sm2_sign(digest)
    else:
        signature = sm2_sign(digest, credentials.sm2_private_hex or "", credentials.sm2_public_hex)
    return Sm2Detached(digest.hex(), signature, credentials.sm2_public_hex, credentials.authority)


def verify_sm2_detached(pdf_bytes: bytes, detached: Sm2Detached, public_key_hex: str) -> bool:
    """Whether the file is the one the bureau (whose SM2 public key is on record) signed."""
    digest = sm3_digest(pdf_bytes)
    return digest.hex() == detached.digest_sm3_hex.lower() and sm2_verify(
        digest, detached.signature_hex, public_key_hex
    )


def seal_document(
    pdf_bytes: bytes, credentials: BureauCredentials, seal_png: bytes | None = None, **options
) -> SealedDocument:
    """Seal with PAdES, and for a bureau on the "sm2" algorithm add the detached SM2 signature of the result."""
    sealed = seal_pdf(pdf_bytes, credentials, seal_png, **options)
    extra = sm2_detached(sealed, credentials) if credentials.algorithm == "sm2" else None
    return SealedDocument(sealed, extra)
