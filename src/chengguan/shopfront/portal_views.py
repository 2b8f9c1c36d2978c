"""What the merchant H5 shows and the small writes behind it: the shop page, the account's shops, the shop's details
and 门头照片, its notices as the shop sees them, and the photos of a rectification as the H5 sends them."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import NotFound, field_error
from chengguan.core.principals import MerchantPrincipal
from chengguan.evidence.store import blob_store
from chengguan.identity.models import MerchantAccount
from chengguan.kit import media
from chengguan.merchants.enums import KIND_LABELS
from chengguan.merchants.models import Merchant
from chengguan.rectification import read
from chengguan.rectification.actions import Photo
from chengguan.rectification.enums import OPEN, Actor, RectStatus
from chengguan.rectification.models import Notice
from chengguan.rectification.repository import WAITING_ON_SHOP, of_merchant
from chengguan.shopfront import claims, exif, page
from chengguan.shopfront.enums import CLAIM_STATUS_LABELS
from chengguan.shopfront.models import ShopProfile
from chengguan.shopfront.schemas import (
    AccountBrief,
    ClaimOut,
    MyShop,
    PortalNotice,
    ProfileIn,
    ShopDetail,
    ShopPage,
)

STOREFRONT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def shop_page(session: Session, shop: Merchant, viewer: MerchantAccount | None) -> ShopPage:
    squad, phone, bureau = page.squad_of(session, shop)
    profile = page.profile_of(session, shop)
    return ShopPage(
        code=shop.code, name=shop.name, business_type=shop.business_type, address=shop.address, squad=squad,
        squad_phone=phone, bureau=bureau, status_label=page.status_label(shop), claimed=shop.account_id is not None,
        mine=viewer is not None and shop.account_id == viewer.id,
        pending_claim=claims.pending_for(session, viewer.id if viewer else None, shop),
        storefront_url=page.storefront_url(shop, profile), obligations=page.obligations(session, shop, profile),
    )  # fmt: skip


def claim_out(done: claims.Claimed, shop: Merchant) -> ClaimOut:
    account = done.login.account
    return ClaimOut(access_token=done.login.raw_token, expires_at=done.login.token.expires_at,
                    account=AccountBrief(id=account.id, phone=account.phone, display_name=account.display_name),
                    shop_code=shop.code, status=done.claim.status,
                    status_label=CLAIM_STATUS_LABELS[done.claim.status])  # fmt: skip


def my_shops(session: Session, account: MerchantAccount) -> list[MyShop]:
    out = []
    for shop, status in claims.shops_of(session, account):
        counts = dict(session.execute(select(Notice.status, func.count()).where(Notice.merchant_id == shop.id)
                                      .group_by(Notice.status)).tuples().all())  # fmt: skip
        out.append(MyShop(
            code=shop.code, name=shop.name, address=shop.address, status=status,
            status_label=CLAIM_STATUS_LABELS[status], open_notices=sum(n for s, n in counts.items() if s in OPEN),
            awaiting_shop=sum(n for s, n in counts.items() if s in WAITING_ON_SHOP),
        ))  # fmt: skip
    return out


def detail(session: Session, shop: Merchant) -> ShopDetail:
    profile = page.profile_of(session, shop)
    squad, _, _ = page.squad_of(session, shop)
    return ShopDetail(
        code=shop.code, name=shop.name, kind_label=KIND_LABELS[shop.kind], uscc=shop.uscc,
        operator_name=shop.operator_name, business_type=shop.business_type, address=shop.address, squad=squad,
        business_hours=profile.business_hours if profile else None,
        contact_name=profile.contact_name if profile else None,
        contact_phone=profile.contact_phone if profile else None,
        storefront_url=page.storefront_url(shop, profile),
    )  # fmt: skip


def _profile(session: Session, shop: Merchant) -> ShopProfile:
    profile = page.profile_of(session, shop)
    if profile is None:
        profile = ShopProfile(merchant_id=shop.id)
        session.add(profile)
    return profile


def update_profile(session: Session, principal: MerchantPrincipal, shop: Merchant, data: ProfileIn) -> None:
    """The details the shop keeps itself (what it leaves out stays as it was)."""
    profile = _profile(session, shop)
    for name in data.model_fields_set:
        value = getattr(data, name)
        setattr(profile, name, value.strip() if isinstance(value, str) and value.strip() else None)
    session.flush()


def set_storefront(session: Session, settings: Settings, principal: MerchantPrincipal, shop: Merchant,
                   data: bytes, filename: str | None, declared: str | None) -> None:  # fmt: skip
    """门头照片: an image by its bytes (415 otherwise), kept in the blob store."""
    if not data:
        raise field_error("file", "文件为空", code="media.empty")
    if len(data) > 10 * 2**20:
        raise field_error("file", "图片不能超过 10 MB", code="media.too_large")
    mime = media.check(data[: media.HEAD_BYTES], declared=declared, filename=filename, accepted=STOREFRONT_TYPES)
    profile = _profile(session, shop)
    profile.storefront_sha256 = blob_store(settings).put(data).sha256
    profile.storefront_mime = mime
    session.flush()


def storefront_response(session: Session, settings: Settings, shop: Merchant) -> Response:
    profile = page.profile_of(session, shop)
    if profile is None or profile.storefront_sha256 is None or profile.storefront_mime is None:
        raise NotFound("本店尚未上传门头照片", code="portal.no_storefront")
    headers = media.file_headers(profile.storefront_mime, f"storefront-{shop.code}") | {
        "Cache-Control": "public, max-age=86400"
    }
    return Response(blob_store(settings).get(profile.storefront_sha256), media_type=profile.storefront_mime,
                    headers=headers)  # fmt: skip


def notice_of(session: Session, shop: Merchant, notice_id: uuid.UUID) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None or notice.merchant_id != shop.id:
        raise NotFound("通知不存在", code="notice.not_found")
    return notice


def portal_url(shop: Merchant):
    return lambda notice, evidence_id: f"/api/v1/portal/shops/{shop.code}/notices/{notice.id}/photos/{evidence_id}"


def portal_notice(session: Session, shop: Merchant, notice: Notice) -> PortalNotice:
    detail_ = read.detail(session, notice, who=Actor.party, url=portal_url(shop))
    pdf = f"/api/v1/portal/shops/{shop.code}/notices/{notice.id}/pdf" if notice.document_no else None
    can = notice.status in (RectStatus.pending, RectStatus.rejected) and not detail_.overdue
    return PortalNotice(notice=detail_, pdf_url=pdf, can_submit=can)


def notices_of(session: Session, shop: Merchant) -> list[PortalNotice]:
    return [portal_notice(session, shop, n) for n in of_merchant(session, shop.id)]


def photos_from(files: list[UploadFile], taken: list[datetime], lngs: list[float], lats: list[float],
                limit: int) -> list[Photo]:  # fmt: skip
    """The H5's photos with their capture facts: what the H5 sent for each (by position), else the photo's EXIF."""
    out = []
    for n, f in enumerate(files):
        if f.size is not None and f.size > limit:
            raise field_error("files", "每张照片不能超过 10 MB", code="media.too_large")
        head = f.file.read(media.HEAD_BYTES)
        f.file.seek(0)
        shot = exif.read(head)
        if shot.taken_at is not None and shot.taken_at > clock.now():  # a camera clock ahead: no time is better
            shot = exif.Shot(None, shot.lng, shot.lat, shot.model)
        lng = lngs[n] if n < len(lngs) and n < len(lats) else shot.lng
        lat = lats[n] if n < len(lngs) and n < len(lats) else shot.lat
        out.append(Photo(data=f.file, filename=f.filename or f"photo-{n + 1}.jpg", mime=f.content_type,
                         captured_at=taken[n] if n < len(taken) else shot.taken_at, lng=lng, lat=lat,
                         device=shot.model))  # fmt: skip
    return out
