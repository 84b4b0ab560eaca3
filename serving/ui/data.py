"""The Data and model tab: where each piece comes from, the held-out metrics, the model card, the ETL report and
the EDA figures; its text parts are read from the snapshot serving at each page load."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from serving.state.snapshot import snapshot


def _strip_front_matter(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4:].lstrip()
    return text


def metrics_table(metrics: Any) -> pd.DataFrame | None:
    """The manifest's metrics ({data set: {model: {metric: value}}}) as one row per data set and model."""
    rows = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict) and node and all(not isinstance(v, (dict, list)) for v in node.values()):
            rows.append({"data": " / ".join(path[:-1]) or "-", "model": path[-1] if path else "-", **node})
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))

    walk(metrics, ())
    return pd.DataFrame(rows).round(4) if rows else None


def eda_figures(reports_dir: Path) -> list[tuple[str, str, str]]:
    """(png path, title, caption) for each EDA figure, in the order reports/eda.json lists them."""
    figures_dir = reports_dir / "figures"
    try:
        listed = json.loads((reports_dir / "eda.json").read_text(encoding="utf-8")).get("figures", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    out = []
    for fig in listed if isinstance(listed, list) else []:
        if not isinstance(fig, dict):
            continue
        path = reports_dir / str(fig.get("file", ""))
        if path.suffix == ".png" and path.is_file():
            out.append((str(path), str(fig.get("title") or path.stem), str(fig.get("caption") or "")))
    if not out and figures_dir.is_dir():
        out = [(str(p), p.stem.replace("_", " "), "") for p in sorted(figures_dir.glob("*.png"))]
    return out


def artifacts_markdown(state: Any) -> str:
    """The Data tab's summary: where each piece comes from, which Hub revision serves and which is pending."""
    now = snapshot(state)
    lines = ["### Loaded artifacts"]
    if now.loading_text():
        lines.append(f"- {now.loading_text()}")
    for name, source, error, piece in (("Catalog data", now.data_source, now.data_error, "data"),
                                       ("Model", now.model_source, now.model_error, "model")):
        if piece in now.pending:
            continue
        lines.append(f"- **{name}**: " + (f"not loaded: {error}" if error or source is None else source.describe()))
    if now.predictor is not None:
        lines.append(f"- {now.predictor.summary()}")
    lines += [f"- Hub {line}" for line in state.hub_lines()]
    lines.append(f"- Loaded in {now.load_seconds:.1f} s. Full details (checksums): `GET /health`.")
    if state.all_notices():
        lines += ["", "**Notices**", *[f"- {n}" for n in state.all_notices()]]
    return "\n".join(lines)


def _metrics(state: Any) -> pd.DataFrame | None:
    now = snapshot(state)
    return metrics_table(now.predictor.manifest.get("metrics")) if now.predictor is not None else None


def _model_card(state: Any) -> str:
    card = snapshot(state).artifact_text("README.md")
    return _strip_front_matter(card) if card else "No model card: the model is not built."


def _etl_report(state: Any) -> Any:
    now = snapshot(state)
    if now.data_source is None:
        return {"etl_report.json": "not loaded yet"}
    return now.report_json(Path(now.data_source.location) / "etl_report.json") or {
        "etl_report.json": "no ETL report: run `python -m etl`"}


def data_tab(state: Any) -> None:
    """The Data and model tab; its text parts are read from the snapshot serving when the page loads."""
    gr.Markdown(lambda: artifacts_markdown(state), elem_id="artifacts-info")
    gr.Markdown("### Evaluation")
    gr.Markdown(lambda: "Held-out evaluation (the model card below says how it was measured)."
                if _metrics(state) is not None else "No metrics: the model is not built.")
    gr.Dataframe(lambda: _metrics(state) if _metrics(state) is not None else pd.DataFrame(columns=["data"]),
                 interactive=False, label="Held-out metrics")
    with gr.Accordion("Model card", open=False):
        gr.Markdown(lambda: _model_card(state))
    with gr.Accordion("ETL report", open=False):
        gr.JSON(lambda: _etl_report(state), label="etl_report.json")
    gr.Markdown("### Exploratory data analysis")
    figures = eda_figures(snapshot(state).reports_dir)
    if figures:
        for start in range(0, len(figures), 2):
            with gr.Row(equal_height=False):
                for path, title, caption in figures[start:start + 2]:
                    with gr.Column():
                        # The figure carries its own title; a label box would cover it.
                        gr.Image(path, label=title, show_label=False, interactive=False, buttons=["fullscreen"])
                        gr.Markdown(caption)
    else:
        gr.Markdown("No EDA figures: run `python -m etl.eda`.")
