"""The Models dialog: which language models exist, which is in use, how it runs.

Lists catalog and user-added models with size, licence and what is known about
each file's sha256; downloads a catalog model from the hub (resumable, with
progress and cancel), adds a local .gguf, verifies or removes an installed
one, and chooses the model in use. Below, the runtime settings (GPU layers,
threads, context size) and where the model actually runs — including why it
fell back from the GPU to the CPU, as the engine reported it. Every file
operation runs as a job; the dialog only shows results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chatsum.config import save_setting
from chatsum.core.progress import Progress
from chatsum.ui.i18n import fill
from chatsum.ui.item_models import ModelListModel, ModelRow
from chatsum.ui.workers import GeneratorWorker, JobFailure, JobRunner

CONTEXT_SIZES = (2048, 4096, 8192, 16384, 32768)


def model_rows(store: Any, in_use: str, checks: dict[str, str]) -> list[ModelRow]:
    """Rows for the dialog from the model store (runs in a job: translate() is thread-safe)."""
    installed = store.installed()
    words = {
        "catalog": QCoreApplication.translate("ModelsDialog", "sha256 matches the catalog"),
        "hub": QCoreApplication.translate("ModelsDialog", "sha256 matches the hub"),
        "recorded": QCoreApplication.translate(
            "ModelsDialog", "sha256 recorded at install (none published)"
        ),
    }
    rows = []
    for status in store.statuses():
        model = installed.get(status.id)
        if status.id in checks:
            checksum = checks[status.id]
        elif model is not None:
            checksum = words.get(model.sha_origin, model.sha_origin)
        else:
            checksum = (
                QCoreApplication.translate("ModelsDialog", "published sha256 known")
                if status.sha256_known
                else QCoreApplication.translate("ModelsDialog", "no published sha256")
            )
        rows.append(
            ModelRow(
                id=status.id,
                name=status.name,
                installed=status.installed,
                size=status.size,
                license=status.license,
                roles=tuple(status.roles),
                sources=tuple(status.sources),
                checksum=checksum,
                in_use=status.id == in_use,
                notes=status.notes,
            )
        )
    return rows


def build_support() -> str:
    """Whether this llama.cpp build can use a GPU at all (imports llama_cpp: call in a job)."""
    from chatsum.core.llm.hardware import gpu_offload_supported, physical_cores

    gpu = gpu_offload_supported()
    return ("gpu" if gpu else "cpu") + f":{physical_cores()}"


class ModelsDialog(QDialog):
    """See the module docstring."""

    settings_changed = Signal(object)  # Settings

    def __init__(
        self, services: Any, runner: JobRunner, backend: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(900, 700)
        self._services = services
        self._runner = runner
        self._backend = backend
        self._store = services.model_store
        self._checks: dict[str, str] = {}
        self._worker: GeneratorWorker | None = None

        self.model = ModelListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            4, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.use_button = QPushButton(self.tr("Use for summaries and answers"))
        self.use_button.clicked.connect(self._on_use_clicked)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.clicked.connect(self._on_download_clicked)
        self.add_button = QPushButton(self.tr("Add a .gguf file…"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.verify_button = QPushButton(self.tr("Verify"))
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons = QHBoxLayout()
        for button in (
            self.use_button,
            self.download_button,
            self.add_button,
            self.verify_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.progress = QProgressBar()
        self.progress.hide()
        self.job_label = QLabel()
        self.job_label.setWordWrap(True)
        self.job_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.cancel_button.hide()
        job_row = QHBoxLayout()
        job_row.addWidget(self.progress, 1)
        job_row.addWidget(self.cancel_button)

        settings = services.settings
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 999)
        self.gpu_layers.setSpecialValueText(self.tr("all"))
        self.gpu_layers.setValue(settings.n_gpu_layers)
        self.gpu_layers.setToolTip(
            self.tr("Layers to run on the GPU; 0 keeps the model on the CPU")
        )
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("automatic"))
        self.threads.setValue(settings.n_threads)
        self.context = QComboBox()
        for size in CONTEXT_SIZES:
            self.context.addItem(fill(self.tr("%1 tokens"), size), size)
        if self.context.findData(settings.n_ctx) < 0:
            self.context.addItem(fill(self.tr("%1 tokens"), settings.n_ctx), settings.n_ctx)
        self.context.setCurrentIndex(self.context.findData(settings.n_ctx))
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.device_label = QLabel(self.tr("Checking this computer…"))
        self.device_label.setWordWrap(True)
        self.device_label.setTextFormat(Qt.TextFormat.PlainText)
        runtime = QGroupBox(self.tr("How the model runs"))
        form = QFormLayout(runtime)
        form.addRow(self.tr("GPU layers"), self.gpu_layers)
        form.addRow(self.tr("CPU threads"), self.threads)
        form.addRow(self.tr("Context size"), self.context)
        form.addRow("", self.apply_button)
        form.addRow(self.tr("Device"), self.device_label)

        # One model per task: empty = the main model chosen with "Use".
        self.task_models: dict[str, QComboBox] = {}
        self._filling_tasks = False
        per_task = QGroupBox(self.tr("Model per task"))
        task_form = QFormLayout(per_task)
        self._task_labels = {
            "summary": self.tr("Summaries"),
            "answer": self.tr("Answers"),
            "extract": self.tr("Extraction"),
        }
        for task, label in self._task_labels.items():
            box = QComboBox()
            box.currentIndexChanged.connect(lambda _i, t=task: self._on_task_model_chosen(t))
            self.task_models[task] = box
            task_form.addRow(label, box)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(job_row)
        layout.addWidget(self.job_label)
        layout.addWidget(per_task)
        layout.addWidget(runtime)
        layout.addWidget(close)
        self.reload()
        self._runner.start(
            "GPU support",
            self._support_job,
            on_result=self._on_support_checked,
            on_failure=self._on_support_failed,
        )
        self._update_buttons()

    # ------------------------------------------------------------ listing

    def reload(self) -> None:
        store, in_use, checks = self._store, self._services.settings.model, dict(self._checks)
        self._runner.start(
            "list models",
            lambda cancel: self._rows_job(store, in_use, checks),
            on_result=self._on_rows_loaded,
            on_failure=self._on_job_failed,
        )

    @staticmethod
    def _rows_job(store: Any, in_use: str, checks: dict[str, str]) -> Any:
        yield Progress("models", "listing")
        return model_rows(store, in_use, checks)

    @staticmethod
    def _support_job(cancel: Any) -> Any:
        yield Progress("models", "checking GPU support")
        return build_support()

    def _on_rows_loaded(self, rows: list[ModelRow]) -> None:
        selected = self.selected_row()
        self.model.set_rows(rows)
        self._fill_task_models([row.id for row in rows if row.installed])
        if selected is not None:
            row = self.model.row_of(selected.id)
            if row is not None:
                self.table.selectRow(row)
        self._update_buttons()

    def _on_support_checked(self, support: str) -> None:
        kind, _, cores = support.partition(":")
        engine = self._services.__dict__.get("engine")
        loaded = getattr(engine, "device_info", None) if engine is not None else None
        build = (
            self.tr("This llama.cpp build can use a GPU.")
            if kind == "gpu"
            else self.tr("This llama.cpp build runs on the CPU only (no GPU backend compiled in).")
        )
        lines = [build, fill(self.tr("%1 CPU cores."), cores)]
        if loaded and loaded != "not loaded":
            lines.append(fill(self.tr("Now: %1"), loaded))
        else:
            lines.append(
                self.tr("The model is not loaded yet; it loads at the first summary or question.")
            )
        self.device_label.setText(" ".join(lines))

    def _on_support_failed(self, failure: JobFailure) -> None:
        self.device_label.setText(fill(self.tr("Could not check GPU support: %1"), failure.message))

    def selected_row(self) -> ModelRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_model(self, model_id: str) -> None:
        row = self.model.row_of(model_id)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self, *_: Any) -> None:
        row = self.selected_row()
        idle = self._worker is None
        self.use_button.setEnabled(idle and row is not None and row.installed and not row.in_use)
        self.download_button.setEnabled(
            idle and row is not None and not row.installed and "hub" in row.sources
        )
        self.verify_button.setEnabled(idle and row is not None and row.installed)
        self.remove_button.setEnabled(idle and row is not None and row.installed)
        self.add_button.setEnabled(idle)

    # ------------------------------------------------------------ actions

    def _run(self, name: str, factory: Any, on_result: Any) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.job_label.setText(name)
        self._worker = self._runner.start(
            name,
            factory,
            on_progress=self._on_job_progressed,
            on_result=on_result,
            on_failure=self._on_job_failed,
        )
        self._update_buttons()

    def _job_ended(self, message: str) -> None:
        self._worker = None
        self.progress.hide()
        self.cancel_button.hide()
        self.job_label.setText(message)
        self._update_buttons()

    def _on_job_progressed(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * (progress.fraction or 0)))
        if progress.unit == "bytes" and progress.total:
            self.job_label.setText(
                fill(
                    self.tr("%1: %2 of %3 MB"),
                    progress.message or progress.stage,
                    progress.done // 2**20,
                    progress.total // 2**20,
                )
            )
        elif progress.message:
            self.job_label.setText(progress.message)

    def _on_job_failed(self, failure: JobFailure) -> None:
        self._job_ended(self.tr("Cancelled.") if failure.cancelled else failure.message)
        self.job_label.setToolTip(failure.message)
        self.reload()

    def _on_cancel_clicked(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_use_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self._save({"model": row.id})
        self.job_label.setText(fill(self.tr("%1 is now used for summaries and answers."), row.id))
        self.reload()

    def _fill_task_models(self, installed: list[str]) -> None:
        settings = self._services.settings
        self._filling_tasks = True
        try:
            for task, box in self.task_models.items():
                chosen = str(getattr(settings, f"{task}_model"))
                box.clear()
                box.addItem(fill(self.tr("Same as the main model (%1)"), settings.model), "")
                for model_id in (
                    installed if chosen in installed or not chosen else [*installed, chosen]
                ):
                    box.addItem(model_id, model_id)
                box.setCurrentIndex(max(0, box.findData(chosen)))
        finally:
            self._filling_tasks = False

    def _on_task_model_chosen(self, task: str) -> None:
        if self._filling_tasks:
            return
        model_id = str(self.task_models[task].currentData() or "")
        self._save({f"{task}_model": model_id})
        self.job_label.setText(
            fill(
                self.tr("Model for %1: %2"),
                self._task_labels[task],
                model_id or self.tr("the main model"),
            )
        )

    def _on_download_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        from chatsum.core.llm.hub import pull

        store, endpoint, model_id = self._store, self._services.settings.hf_endpoint, row.id
        self._run(
            fill(self.tr("Downloading %1…"), model_id),
            lambda cancel: pull(store, model_id, endpoint, cancel),
            self._on_model_installed,
        )

    def _on_add_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Add a model file"), "", self.tr("GGUF models (*.gguf)")
        )
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> None:
        from chatsum.core.llm.installing import add_model

        store = self._store
        self._run(
            fill(self.tr("Adding %1…"), path.name),
            lambda cancel: add_model(store, path, None, None, False, cancel),
            self._on_model_installed,
        )

    def _on_model_installed(self, result: Any) -> None:
        model = getattr(result, "model", result)
        self._job_ended(fill(self.tr("%1 is installed and verified."), model.id))
        self.reload()

    def _on_verify_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        store, model_id = self._store, row.id

        def verify(cancel: Any) -> Any:
            from chatsum.core.errors import ModelError

            try:
                yield from store.verify(model_id, cancel)
            except ModelError as exc:
                return (model_id, False, exc.user_message)
            return (model_id, True, "")

        self._run(fill(self.tr("Verifying %1…"), model_id), verify, self._on_verified)

    def _on_verified(self, outcome: tuple[str, bool, str]) -> None:
        model_id, ok, problem = outcome
        self._checks[model_id] = (
            self.tr("verified just now ✓") if ok else fill(self.tr("FAILED: %1"), problem)
        )
        self._job_ended(self._checks[model_id])
        self.reload()

    def _on_remove_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Remove model"), fill(self.tr("Delete %1 from this computer?"), row.name)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove(row.id)

    def remove(self, model_id: str) -> None:
        store = self._store

        def remove(cancel: Any) -> Any:
            yield Progress("models", f"removing {model_id}")
            return store.remove(model_id)

        self._run(fill(self.tr("Removing %1…"), model_id), remove, self._on_model_removed)

    def _on_model_removed(self, paths: list[Path]) -> None:
        self._job_ended(fill(self.tr("Removed; %n file(s) deleted.", "", len(paths))))
        self.reload()

    # ------------------------------------------------------------ runtime settings

    def _on_apply_clicked(self) -> None:
        self._save(
            {
                "n_gpu_layers": self.gpu_layers.value(),
                "n_threads": self.threads.value(),
                "n_ctx": int(self.context.currentData()),
            }
        )
        self.job_label.setText(
            self.tr("Saved; the model reloads with these settings at the next use.")
        )

    def _save(self, changes: dict[str, Any]) -> None:
        settings = self._services.settings
        for name, value in changes.items():
            if getattr(settings, name) != value:
                settings = save_setting(settings, name, value)
        self.settings_changed.emit(settings)
