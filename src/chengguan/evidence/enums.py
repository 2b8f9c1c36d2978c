"""Enumerations of evidence items."""

from __future__ import annotations

from enum import StrEnum


class EvidenceKind(StrEnum):
    photo = "photo"
    video = "video"
    audio = "audio"
    file = "file"


class EvidenceOrigin(StrEnum):
    officer = "officer"  # captured or uploaded by an enforcement officer (mobile, PC)
    machine = "machine"  # recorded by an electronic monitoring device (电子技术监控设备, art. 41)
    party = "party"  # submitted by the party (陈述申辩材料、整改照片)


class ReviewStatus(StrEnum):
    not_required = "not_required"  # officer-captured evidence
    pending = "pending"  # machine-recorded, awaiting the first level
    first_passed = "first_passed"  # 技术审核 passed, awaiting 法制审核
    passed = "passed"  # both levels passed: may support a decision (art. 41)
    rejected = "rejected"  # may not be used as evidence (art. 41 第二款)


KIND_LABELS = {
    EvidenceKind.photo: "照片",
    EvidenceKind.video: "视频",
    EvidenceKind.audio: "录音",
    EvidenceKind.file: "文件",
}
ORIGIN_LABELS = {
    EvidenceOrigin.officer: "执法人员采集",
    EvidenceOrigin.machine: "电子技术监控设备",
    EvidenceOrigin.party: "当事人提交",
}
REVIEW_LABELS = {
    ReviewStatus.not_required: "无需审核",
    ReviewStatus.pending: "待技术审核",
    ReviewStatus.first_passed: "待法制审核",
    ReviewStatus.passed: "审核通过",
    ReviewStatus.rejected: "审核不通过",
}
