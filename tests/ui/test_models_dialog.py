"""The Models dialog: add, verify, use, remove, download with progress and cancel, runtime settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.config import Settings, load_settings
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.services import AppServices
from chatsum.ui.models_dialog import ModelsDialog
from chatsum.ui.workers import JobRunner
from tests.core.llm.helpers import LocalHub, write_chat_gguf

HUB_MODEL = "qwen2.5-1.5b-instruct-q4km"  # a catalog entry downloaded from the hub
HUB_REPO, HUB_FILE = "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf"


@pytest.fixture()
def dialog(qtbot, ui_settings: Settings) -> ModelsDialog:
    services = AppServices(ui_settings, generator=FakeTextGenerator())
    runner = JobRunner()
    window_settings: list[Settings] = []

    class Backend:  # what the dialog asks of the window's backend: nothing heavy
        pass

    dialog = ModelsDialog(services, runner, Backend())
    dialog.settings_changed.connect(window_settings.append)
    dialog.settings_changed.connect(lambda s: setattr(services, "settings", s))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0 and not runner.active_jobs, timeout=15_000)
    dialog.saved = window_settings  # type: ignore[attr-defined]
    yield dialog
    runner.shutdown()


def _row(dialog: ModelsDialog, model_id: str):
    index = dialog.model.row_of(model_id)
    return None if index is None else dialog.model.row(index)


def test_add_verify_use_and_remove_a_local_model(
    qtbot, dialog: ModelsDialog, tmp_path: Path
) -> None:
    gguf = write_chat_gguf(tmp_path / "my-tiny-chat.gguf")
    dialog.add_file(gguf)
    qtbot.waitUntil(lambda: _row(dialog, "my-tiny-chat") is not None, timeout=15_000)
    row = _row(dialog, "my-tiny-chat")
    assert row.installed and row.sources == ("local",)
    assert row.checksum == "sha256 recorded at install (none published)"
    assert "installed and verified" in dialog.job_label.text()

    dialog.select_model("my-tiny-chat")
    dialog.verify_button.click()
    qtbot.waitUntil(
        lambda: _row(dialog, "my-tiny-chat").checksum == "verified just now ✓", timeout=15_000
    )

    dialog.select_model("my-tiny-chat")
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()
    assert dialog.saved[-1].model == "my-tiny-chat"
    assert load_settings({"home": dialog.saved[-1].home}, environ={}).model == "my-tiny-chat"
    qtbot.waitUntil(lambda: _row(dialog, "my-tiny-chat").in_use, timeout=15_000)

    # A corrupted file fails verification, and says so in the table.
    with gguf.open("r+b") as handle:
        handle.seek(-8, 2)
        handle.write(b"\x00" * 8)
    dialog.select_model("my-tiny-chat")
    dialog.verify_button.click()
    qtbot.waitUntil(
        lambda: _row(dialog, "my-tiny-chat").checksum.startswith("FAILED"), timeout=15_000
    )

    dialog.remove("my-tiny-chat")
    qtbot.waitUntil(lambda: _row(dialog, "my-tiny-chat") is None, timeout=15_000)
    assert dialog.job_label.text().startswith("Removed")


def test_download_can_be_cancelled_then_completed_with_progress(
    qtbot, dialog: ModelsDialog, ui_settings: Settings, tmp_path: Path
) -> None:
    weights = write_chat_gguf(tmp_path / "served.gguf", filler_bytes=1024 * 1024)
    hub = LocalHub(delay_per_chunk_s=0.1, chunk_size=64 * 1024).start()  # about 1.6 s in all
    try:
        hub.serve(HUB_REPO, HUB_FILE, weights)
        dialog._services.settings = ui_settings.replace(hf_endpoint=hub.endpoint)
        dialog.select_model(HUB_MODEL)
        assert dialog.download_button.isEnabled()
        dialog.download_button.click()
        assert not dialog.progress.isHidden() and not dialog.cancel_button.isHidden()
        assert not dialog.download_button.isEnabled()  # one model job at a time
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: dialog.cancel_button.isHidden(), timeout=15_000)
        assert dialog.job_label.text() == "Cancelled.", dialog.job_label.toolTip()
        assert not _row(dialog, HUB_MODEL).installed

        hub.delay_per_chunk_s = 0.0
        dialog.select_model(HUB_MODEL)
        dialog.download_button.click()
        seen: list = []
        dialog._worker.signals.progressed.connect(seen.append)
        qtbot.waitUntil(lambda: _row(dialog, HUB_MODEL).installed, timeout=30_000)
        assert _row(dialog, HUB_MODEL).checksum == "sha256 matches the hub"
        size = weights.stat().st_size
        assert any(p.unit == "bytes" and p.total == size for p in seen)
    finally:
        hub.stop()


def test_runtime_settings_are_saved(qtbot, dialog: ModelsDialog) -> None:
    dialog.gpu_layers.setValue(0)
    dialog.threads.setValue(2)
    dialog.context.setCurrentIndex(dialog.context.findData(4096))
    dialog.apply_button.click()
    saved = load_settings({"home": dialog.saved[-1].home}, environ={})
    assert (saved.n_gpu_layers, saved.n_threads, saved.n_ctx) == (0, 2, 4096)
    qtbot.waitUntil(
        lambda: "CPU" in dialog.device_label.text() or "GPU" in dialog.device_label.text(),
        timeout=15_000,
    )


def test_a_task_can_use_its_own_installed_model(
    qtbot, dialog: ModelsDialog, tmp_path: Path
) -> None:
    box = dialog.task_models["extract"]
    assert box.currentData() == "" and box.count() == 1 + sum(
        dialog.model.row(r).installed for r in range(dialog.model.rowCount())
    )
    dialog.add_file(write_chat_gguf(tmp_path / "my-tiny-chat.gguf"))
    qtbot.waitUntil(lambda: box.findData("my-tiny-chat") >= 0, timeout=15_000)
    box.setCurrentIndex(box.findData("my-tiny-chat"))
    saved = dialog.saved[-1]  # type: ignore[attr-defined]
    assert saved.extract_model == "my-tiny-chat"
    assert saved.model_for("extract") == "my-tiny-chat"
    assert saved.model_for("summary") == saved.model
    assert load_settings({"home": saved.home}, environ={}).extract_model == "my-tiny-chat"
    assert dialog.task_models["summary"].currentData() == ""
