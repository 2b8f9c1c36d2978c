"""The two-level review of machine-recorded evidence (《行政处罚法》第四十一条) — pure rules, no I/O.

第四十一条第二款：电子技术监控设备记录违法事实应当真实、清晰、完整、准确。行政机关应当审核记录内容是否符合要求；
未经审核或者经审核不符合要求的，不得作为行政处罚的证据。第一款 names the two reviews the bureau owes such
evidence: 技术审核 and 法制审核. Here every machine-recorded item passes both, in that order:

* level 1 技术审核 (is the record true, clear, complete and accurate): a case handler — permission ``case:write`` —
  who did not upload the item (nobody checks their own upload);
* level 2 法制审核 (may it lawfully support the decision): permission ``legal:review``, and not the person who
  did level 1 (two levels are two people).

Passing both makes the item usable (``passed``); failing either makes it unusable for good (``rejected``), with the
reason written down. Evidence collected by officers or submitted by the party needs neither (``not_required``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chengguan.core.errors import Conflict, Forbidden
from chengguan.evidence.enums import EvidenceOrigin, ReviewStatus

TECHNICAL, LEGAL = 1, 2
LEVEL_LABELS = {TECHNICAL: "技术审核", LEGAL: "法制审核"}
REVIEWABLE = {ReviewStatus.pending: TECHNICAL, ReviewStatus.first_passed: LEGAL}
# Statuses that keep a case from a penalty decision: reviewed neither way yet (rejected items simply do not count).
UNREVIEWED = frozenset({ReviewStatus.pending, ReviewStatus.first_passed})


class ReviewClosed(Conflict):
    code = "evidence.review.closed"


class ReviewForbidden(Forbidden):
    code = "evidence.review.forbidden"


@dataclass(frozen=True)
class ReviewStep:
    """The level being reviewed and the status it leaves the item in."""

    level: int
    status: ReviewStatus


def initial_status(origin: EvidenceOrigin) -> ReviewStatus:
    """第四十一条: machine-recorded evidence waits for its review; what officers or the party bring needs none."""
    return ReviewStatus.pending if origin is EvidenceOrigin.machine else ReviewStatus.not_required


def review_step(
    status: ReviewStatus,
    passed: bool,
    *,
    reviewer_id: uuid.UUID | None,
    uploader_id: uuid.UUID | None,
    first_reviewer_id: uuid.UUID | None,
    may_check: bool,
    may_legal_review: bool,
) -> ReviewStep:
    """The review this person may give now (第四十一条: 技术审核, then 法制审核), or why not (409 / 403)."""
    level = REVIEWABLE.get(status)
    if level is None:
        if status is ReviewStatus.not_required:
            raise ReviewClosed(
                "执法人员采集或当事人提交的证据无需审核（《行政处罚法》第四十一条仅适用于电子技术监控设备记录）",
                code="evidence.review.not_required",
            )
        raise ReviewClosed("该证据已审核完毕，不能再次审核", code="evidence.review.done")
    if level == TECHNICAL:
        if not may_check:
            raise ReviewForbidden("技术审核须由本案承办人员（办理案件权限）进行")
        if reviewer_id is not None and reviewer_id == uploader_id:
            message = "上传人不能审核本人上传的证据，请由其他执法人员进行技术审核"
            raise ReviewForbidden(message, code="evidence.review.own")
    else:
        if not may_legal_review:
            raise ReviewForbidden("法制审核须由法制审核人员进行（《行政处罚法》第四十一条）")
        if reviewer_id is not None and reviewer_id == first_reviewer_id:
            raise ReviewForbidden("技术审核与法制审核须由不同人员进行", code="evidence.review.same_person")
    if not passed:
        return ReviewStep(level, ReviewStatus.rejected)
    return ReviewStep(level, ReviewStatus.first_passed if level == TECHNICAL else ReviewStatus.passed)
