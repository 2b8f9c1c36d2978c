"""The detector worker end to end on a synthetic video with a tiny ONNX model the test builds: the expected alarm,
its snapshots in the evidence ledger, the ledger still intact (``chengguan verify-evidence``); a bad model or class
map refused at start; an unreachable stream reported offline without stopping the worker."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chengguan.cli import app as cli
from chengguan.core.config import get_settings
from chengguan.evidence.enums import EvidenceOrigin
from chengguan.evidence.models import EvidenceItem
from chengguan.org.enums import DeviceStatus
from chengguan.org.models import Device
from chengguan.video.detector import Detector, ModelError
from chengguan.video.models import VideoAlarm, VideoEngineState
from chengguan.video.synthetic import street_video, tiny_model
from chengguan.video.worker import CameraConfig, Worker, WorkerConfig
from video.helpers import ZONE

STALL_ZONE = ZONE | {"polygon": [[0.3, 0.6], [0.7, 0.6], [0.7, 0.95], [0.3, 0.95]], "classes": ["stall"]}


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return street_video(tmp_path_factory.mktemp("video") / "street.avi")


def test_a_malformed_model_or_a_class_map_that_does_not_fit_is_refused(model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x08\x07garbage")
    with pytest.raises(ModelError, match="无法加载"):
        Detector(broken, {0: "stall"})
    with pytest.raises(ModelError, match="超出模型输出的 1 个类别"):
        Detector(model, {0: "stall", 5: "car"})
    with pytest.raises(ModelError, match="不存在"):
        Detector(tmp_path / "missing.onnx", {0: "stall"})


def test_the_cli_refuses_a_bad_class_map_with_exit_78(model: Path, tmp_path: Path) -> None:
    config = tmp_path / "worker.toml"
    config.write_text(f'model = "{model}"\n[classes]\n3 = "stall"\n[[cameras]]\ncode = "X"\nurl = "a.avi"\n')
    result = CliRunner().invoke(cli, ["video-worker", str(config)])
    assert result.exit_code == 78 and "超出模型输出" in result.output


@pytest.mark.commits
def test_the_worker_end_to_end(
    world, client, admin, cameras, review_camera, model, video, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[5]
    review_camera(device_id)
    r = client.put(f"/api/v1/video/cameras/{device_id}/zones", json=[STALL_ZONE], headers=admin)
    assert r.status_code == 200, r.text
    config = WorkerConfig(model=model, classes={0: "stall"}, batch_frames=4,
                          cameras=[CameraConfig(code=code, url=str(video), interval_s=5)])  # fmt: skip
    worker = Worker(config, world.db, world.settings)
    [stats] = worker.run()
    assert stats.errors == []
    assert stats.frames == 30 and stats.detections_run < stats.frames  # motion gating skipped the quiet frames
    with world.db.session() as session:
        [alarm] = session.scalars(select(VideoAlarm).where(VideoAlarm.device_id == uuid.UUID(device_id))).all()
        assert alarm.zone_name == ZONE["name"] and alarm.evidence_usable and alarm.source == "worker"
        assert 55 <= (alarm.raised_at - alarm.started_at).total_seconds() <= 65
        items = session.scalars(
            select(EvidenceItem).where(EvidenceItem.id.in_([uuid.UUID(i) for i in alarm.evidence_ids]))
        ).all()
        assert len(items) == 4 and {i.origin for i in items} == {EvidenceOrigin.machine}  # 3 snapshots and a clip
        assert all(i.source_id == alarm.case_source_id for i in items)
        assert sorted(i.mime for i in items) == ["image/jpeg"] * 3 + ["video/mp4"]
        clip = next(i for i in items if i.mime == "video/mp4")
        assert alarm.clip_evidence_id == clip.id and clip.size > 0
    monkeypatch.setenv("CHENGGUAN_DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("CHENGGUAN_DATA_DIR", str(world.settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["verify-evidence"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "证据存证完整" in result.output


@pytest.mark.commits
def test_an_unreachable_stream_is_reported_offline_and_retried(world, cameras, model) -> None:  # type: ignore[no-untyped-def]
    device_id, code = cameras[6]
    config = WorkerConfig(model=model, classes={0: "stall"}, max_backoff_s=0.5, open_timeout_s=1,
                          cameras=[CameraConfig(code=code, url="rtsp://127.0.0.1:9/none")])  # fmt: skip
    worker = Worker(config, world.db, world.settings)
    stop = threading.Event()
    timer = threading.Timer(3.0, stop.set)
    timer.start()
    [stats] = worker.run(stop)
    timer.cancel()
    assert stats.reconnects >= 2
    with world.db.session() as session:
        device = session.get(Device, uuid.UUID(device_id))
        state = session.get(VideoEngineState, uuid.UUID(device_id))
        assert device.status is DeviceStatus.offline and state is not None and not state.stream_ok
        assert "无法连接" in (state.stream_error or "")
