"""Enumerations of documents and deliveries."""

from __future__ import annotations

from enum import StrEnum


class DocumentStatus(StrEnum):
    draft = "draft"  # generated; the writable texts may still change, re-rendered on each change
    sealed = "sealed"  # electronically sealed: locked, any change needs a new document
    voided = "voided"  # 作废: a draft withdrawn with a reason; keeps its number and stays in the file


class SignAlgorithm(StrEnum):
    rsa = "rsa"  # PAdES with RSA (what every PDF reader validates)
    ecdsa = "ecdsa"
    sm2 = "sm2"  # 国密: PAdES for readers plus a detached SM2/SM3 signature


class DeliveryMethod(StrEnum):
    electronic = "electronic"  # 电子送达 (art. 61 第二款, with consent)
    on_site = "on_site"  # 当场交付 (art. 61 第一款)
    paper = "paper"  # 直接送达 / 留置送达 with a 送达回证


class DeliveryStatus(StrEnum):
    sent = "sent"  # link sent, not yet opened
    served = "served"  # opened (electronic) or receipt recorded (paper / on the spot)
    failed = "failed"  # the channel could not deliver; fall back to paper


ALGORITHM_LABELS = {
    SignAlgorithm.rsa: "标准数字签名（RSA）",
    SignAlgorithm.ecdsa: "标准数字签名（ECDSA）",
    SignAlgorithm.sm2: "国密 SM2",
}
STATUS_LABELS = {DocumentStatus.draft: "草稿", DocumentStatus.sealed: "已签章", DocumentStatus.voided: "已作废"}
METHOD_LABELS = {
    DeliveryMethod.electronic: "电子送达",
    DeliveryMethod.on_site: "当场交付",
    DeliveryMethod.paper: "直接送达",
}
DELIVERY_LABELS = {
    DeliveryStatus.sent: "已发送",
    DeliveryStatus.served: "已送达",
    DeliveryStatus.failed: "发送失败",
}
