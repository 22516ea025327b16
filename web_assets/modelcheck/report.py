"""The summary's lines about the models' run: missing features, regressions, prediction shifts."""

from __future__ import annotations

from typing import Any

SHOWN_NAMES = 8


def shorten(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def model_check_lines(checks: dict[str, Any] | None) -> list[str]:
    """One line per model missing features, per regression, per shift measured; then the run."""
    models = (checks or {}).get("models") or {}
    if not models:
        return []
    lines = []
    for model_id, found in models.items():
        if found["regression"]:
            lines.append(
                f"  REGRESSION {model_id}: the web app now fills {len(found['regression'])} more "
                f"feature(s) with 0 than for the published model: {shorten(found['regression'])}"
            )
        missing = found["missing_features"]
        if missing:
            lines.append(
                f"  missing features {model_id}: {len(missing)} filled with 0 by the web app: "
                f"{shorten(missing)}"
            )
    for model_id, found in models.items():
        if found["shift_line"]:
            lines.append(f"  shift {found['shift_line']}")
        elif found["shift_note"]:
            lines.append(f"  shift {model_id}: {found['shift_note']}")
    covered = sum(not found["missing_features"] for found in models.values())
    if checks.get("fixtures"):
        lines.append(
            f"  {len(models)} model(s) ran in ONNX Runtime on {checks['fixtures']} dataset fixtures "
            f"of {checks['season']}; {covered} of {len(models)} get every feature they name there"
        )
        if checks.get("kept"):
            lines.append(kept_line(checks["kept"], checks.get("loaded") or []))
    else:
        lines.append(f"  on dataset rows {covered} of {len(models)} get every feature they name")
    lines.append(upcoming_line(bool(checks.get("app_url"))))
    return lines


def kept_line(kept: int, loaded: list[str]) -> str:
    """How much of the run an earlier check saved: its results on the same bytes are kept."""
    ran = f"loaded only {shorten(loaded)}" if loaded else "loaded no model"
    return (
        f"  {kept} prediction(s) kept from an earlier check of the same model, features, fixtures "
        f"and onnxruntime; {ran}"
    )


def upcoming_line(app_url: bool) -> str:
    """What the offline check does not cover: the app builds an upcoming fixture's features from
    team snapshots, and fills with 0 what those lack."""
    if app_url:
        return "  upcoming fixtures (no dataset row): checked in the app at app_url after the push"
    return (
        "  upcoming fixtures (no dataset row) are not checked here: the app builds their features "
        "itself; `doit verify app=true` checks them"
    )
