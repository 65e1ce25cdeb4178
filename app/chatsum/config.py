"""Settings: one typed object built once in `main()` and passed down.

Precedence: defaults < TOML file in the user config dir < environment
(`CHATSUM_` prefix) < explicit overrides (CLI flags). `CHATSUM_HOME` moves
every file the app writes, so tests and portable installs stay isolated.
Nothing reads settings at import time.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from chatsum.core.errors import ConfigError

MODEL_TASKS = ("summary", "answer", "extract")
"""Tasks that can each use their own model (`<task>_model` settings)."""


def _describe(default: Any, description: str) -> Any:
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class Settings:
    home: Path = _describe(Path("."), "Folder for every file chatsum writes (CHATSUM_HOME).")
    model: str = _describe(
        "qwen2.5-coder-1.5b-instruct-q4km",
        "Catalog id of the model used for summaries, answers and extraction "
        "(unless a task names its own with summary_model, answer_model or extract_model).",
    )
    summary_model: str = _describe(
        "", "Installed model id for summaries; empty = the `model` setting."
    )
    answer_model: str = _describe(
        "", "Installed model id for answers to questions; empty = the `model` setting."
    )
    extract_model: str = _describe(
        "", "Installed model id for record extraction; empty = the `model` setting."
    )
    n_ctx: int = _describe(8192, "Context window in tokens for the local model.")
    n_gpu_layers: int = _describe(
        -1, "Layers to offload to the GPU; -1 = all when the build can offload, 0 = CPU only."
    )
    n_threads: int = _describe(0, "CPU threads for llama.cpp; 0 = the number of physical cores.")
    n_batch: int = _describe(512, "Prompt batch size for llama.cpp.")
    remote_llm_url: str = _describe(
        "", "OpenAI-compatible server URL to use instead of a local model (empty = local)."
    )
    hf_endpoint: str = _describe("", "Model hub endpoint for downloads (empty = the default hub).")
    embedder: str = _describe(
        "use-multilingual",
        "Embedder for the semantic index: a catalog id, a local folder or a hub model id.",
    )
    chroma_url: str = _describe(
        "", "Chroma server URL (empty = a local persistent index under home)."
    )
    retrieval_min_score: float = _describe(
        0.25,
        "Minimum relevance for an answer; below it chatsum says the archive does not hold the answer.",
    )
    summary_language: str = _describe("auto", "Language of summaries: auto (the chat's), zh or en.")
    ui_language: str = _describe("auto", "Language of the interface: auto (system), zh or en.")
    redact_pii: bool = _describe(
        False, "Hide phone numbers, e-mails and ID numbers from the model."
    )
    date_order: str = _describe(
        "auto", "Day/month order for ambiguous dates: auto (inferred per file), dmy or mdy."
    )
    default_utc_offset_min: int | None = _describe(
        None, "UTC offset assumed for exports without one, in minutes; empty = this computer's."
    )

    def model_for(self, task: str) -> str:
        """The model id a task uses: its own setting, else `model`."""
        if task not in MODEL_TASKS:
            raise ConfigError(f"Unknown task {task!r}; tasks are {', '.join(MODEL_TASKS)}.")
        own: str = getattr(self, f"{task}_model")
        return own.strip() or self.model

    @property
    def db_path(self) -> Path:
        return self.home / "chatsum.db"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def config_file(self) -> Path:
        return self.home / "config.toml"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def describe_settings() -> list[tuple[str, str, str]]:
    """(name, default, description) for every setting, for help screens."""
    return [
        (f.name, repr(f.default), str(f.metadata.get("description", ""))) for f in fields(Settings)
    ]


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("chatsum", appauthor=False))


def resources_dir() -> Path:
    """The bundled resources (sample exports, icons, translations).

    `CHATSUM_RESOURCES` overrides; a PyInstaller bundle unpacks them under
    `sys._MEIPASS/resources`; a source checkout keeps them next to `app/`.
    """
    override = os.environ.get("CHATSUM_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    # app/chatsum/config.py -> the repository root is three levels up.
    return Path(__file__).resolve().parents[2] / "resources"


def _coerce(name: str, raw: Any, target: Any) -> Any:
    kind = str(target)
    try:
        if name == "home":
            return Path(str(raw)).expanduser()
        if "bool" in kind:
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() in {"1", "true", "yes", "on"}
        if "int" in kind:
            if raw in ("", None) and "None" in kind:
                return None
            return int(raw)
        if "float" in kind:
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Setting {name!r} has an invalid value {raw!r}: {exc}") from exc


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Build Settings from defaults, the TOML file, the environment and overrides."""
    env = os.environ if environ is None else environ
    known = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}

    home_raw = (overrides or {}).get("home") or env.get("CHATSUM_HOME")
    home = Path(str(home_raw)).expanduser() if home_raw else default_home()
    values["home"] = home

    config_file = home / "config.toml"
    if config_file.exists():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{config_file}: not valid TOML ({exc}). Fix or delete the file."
            ) from exc
        for name, raw in data.items():
            if name in known and name != "home":
                values[name] = _coerce(name, raw, known[name])

    for name, target in known.items():
        env_name = f"CHATSUM_{name.upper()}"
        if name != "home" and env_name in env:
            values[name] = _coerce(name, env[env_name], target)

    for name, raw in (overrides or {}).items():
        if name not in known:
            raise ConfigError(f"Unknown setting {name!r}.")
        if raw is not None:
            values[name] = _coerce(name, raw, known[name])
    return Settings(**values)


def save_setting(settings: Settings, name: str, value: Any) -> Settings:
    """Persist one setting to the TOML file and return the updated Settings."""
    known = {f.name: f.type for f in fields(Settings)}
    if name not in known or name == "home":
        raise ConfigError(f"Unknown setting {name!r}.")
    coerced = _coerce(name, value, known[name])
    path = settings.config_file
    data: dict[str, Any] = {}
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    if coerced is None:
        data.pop(name, None)
    else:
        data[name] = coerced
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {_toml_value(val)}" for key, val in sorted(data.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return settings.replace(**{name: coerced})


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
