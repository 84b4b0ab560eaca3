"""The Gradio UI (gr.Blocks with tabs); every event has a stable api_name for gradio_client.

The page is composed from the declarations (catalog.CATALOGS): the header naming each catalog, the notices,
then for each catalog its own model tabs (its ui module, catalog/<name>/ui.py) and its question tabs (one tab
per declared question, api_names from the route rule of catalog.declaration), and the Data and model tab.
Each event returns a readable Markdown answer plus the same JSON the REST API gives, so a gradio_client caller
gets (markdown, dict). Bad input and missing pieces become gr.Error messages, which the browser shows in a
pop-up and gradio_client raises with the same text.
"""
from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import gradio as gr

import catalog
from catalog import CatalogSpec, Param, Route
from serving.state.snapshot import AppState, snapshot
from serving.ui.data import data_tab
from serving.ui.links import LinkedTab, Links
from serving.ui.widgets import ANY, answer_markdown, json_answer, readable_errors

NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}


def catalog_ui(spec: CatalogSpec) -> ModuleType | None:
    """A catalog's own tabs: the module its declaration names (`ui`), with headline(now), page_state(state) and
    tabs(state, links, top, demo, kept); None for a catalog with questions only."""
    return importlib.import_module(spec.ui) if spec.ui else None


def query_handler(state: AppState, spec: CatalogSpec, route: Route) -> Callable:
    """The event function of one catalog question: text inputs in params order -> (markdown, json).

    The declaration parses the inputs (a blank optional field means its default), as it does for REST.
    """
    question = route.question

    @readable_errors
    def run(*values: str) -> tuple[str, dict]:
        answer = question.run(snapshot(state).require_queries(spec), *values)
        return answer_markdown(answer), answer
    run.__name__ = route.api_name  # an MCP tool is named after its function
    run.__doc__ = question_doc(spec, route)
    # Named parameters for gradio_client's API page (instead of param_0, param_1, ...).
    run.__signature__ = inspect.Signature([inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                           for p in question.params])
    return run


def question_doc(spec: CatalogSpec, route: Route) -> str:
    """A catalog question's description for API clients and MCP tools, from its declaration: the definition,
    one line per parameter and what it answers."""
    question = route.question
    params = [f"    {p.name}: {p.help}" + ("" if p.required else " Optional.") for p in question.params]
    return "\n".join([f"{question.label} (the {spec.name} catalog): {question.definition}", "", "Args:", *params, "",
                      "Returns:", "    the answer in words (Markdown)", "    the answer as JSON"])




# ---- the question tabs, from the declarations --------------------------------------------------------
def param_input(state: AppState, spec: CatalogSpec, p: Param) -> gr.components.Component:
    """A text-like input for one catalog parameter: a dropdown when its values are known."""
    label = p.name + ("" if p.required else " (optional)")
    default = "" if p.default is None else str(p.default)
    source = snapshot(state).queries.get(spec.name)
    values = list(p.choices or (getattr(source, p.catalog_values, []) if p.catalog_values else []))
    if values:
        if not p.required and p.default is None:
            values, default = [ANY, *values], ANY  # the catalog reads "any" as no filter
        return gr.Dropdown(values, value=default if default in values else None, label=label, info=p.help,
                           allow_custom_value=True, filterable=True)
    return gr.Textbox(label=label, value=default, info=p.help)


def query_tab(state: AppState, spec: CatalogSpec, route: Route, links: Links,
              selectors: tuple[tuple[gr.Tabs, str], ...]) -> None:
    question = route.question
    fn = query_handler(state, spec, route)
    with gr.Tab(question.label, id=route.api_name):
        gr.Markdown(f"### {question.label}\n{question.definition}\n\n"
                    f"`GET {route.path}` · gradio_client `api_name=\"/{route.api_name}\"`")
        with gr.Row():
            inputs = [param_input(state, spec, p) for p in question.params]
        button = gr.Button("Ask", variant="primary")
        answer = gr.Markdown(label="answer", elem_classes=["answer"])
        raw = json_answer()
        button.click(fn, inputs, [answer, raw], api_name=route.api_name)
        named = {p.name: c for p, c in zip(question.params, inputs, strict=True)}
        example = {p.name: v for p, v in zip(question.params, question.examples[0], strict=True) if v is not None} \
            if question.examples else {}
        links.tab(LinkedTab(route.api_name, selectors, named, fn, [answer, raw], example=example))
        # Clicking an example fills the form and asks; it is no API endpoint (clients call the question's own).
        gr.Examples([["" if v is None else str(v) for v in row] for row in question.examples], inputs,
                    [answer, raw], fn=fn, run_on_click=True, cache_examples=False, api_visibility="private")




def build_ui(state: AppState) -> gr.Blocks:
    """The UI over `state`, an AppState or a serving.live.Live (whose snapshot can change while it is up: the
    notices and the Data tab are read again at every page load)."""
    now = snapshot(state)
    rooms = [(spec, catalog_ui(spec)) for spec in catalog.CATALOGS]  # read when the UI is built
    with gr.Blocks(title="Streaming recommender") as demo:
        gr.Markdown(lambda: header_markdown(state), elem_id="header")
        notices = gr.Markdown(lambda: notices_markdown(state), elem_id="notices")
        if now.pending & {"data", "model"}:  # a first boot: the note follows the download until it is done
            timer = gr.Timer(2.0)
            timer.tick(lambda: (notices_markdown(state), gr.Timer(active=bool(snapshot(state).pending))), None,
                       [notices, timer], api_visibility="private", show_progress="hidden")
        links = Links()
        # What a catalog keeps at the page's top level (a visitor's profile in their browser): outside every tab,
        # since a component inside a tab not yet opened is not mounted.
        kept = {spec.name: ui.page_state(state) for spec, ui in rooms if ui is not None}
        with gr.Tabs() as top:
            for spec, ui in rooms:
                if ui is not None:
                    ui.tabs(state, links, top, demo, kept[spec.name])
                with gr.Tab(spec.label, id=spec.name), gr.Tabs() as group:
                    for route in spec.routes:
                        query_tab(state, spec, route, links, ((top, spec.name), (group, route.api_name)))
            with gr.Tab("Data and model", id="data"):
                data_tab(state)
        links.attach(demo)
    undocument_page_loads(demo)
    demo.links = links  # the linkable tabs, for their documented links (Links.example_links)
    return demo


def undocument_page_loads(demo: gr.Blocks) -> None:
    """The events gradio adds to fill components whose value is a function (the notices, the Data tab) are the
    page's own: gradio makes them public (lambda_4, lambda_5, ...), so API docs and MCP tools would list them.
    Undocumented, they are neither, and a client that calls one by name still gets its answer."""
    for block in demo.blocks.values():
        event = getattr(block, "load_event", None)
        if event:
            demo.fns[event["id"]].api_visibility = "undocumented"


def header_markdown(state: Any) -> str:
    """The page's heading: every catalog with its model, their sizes as loaded (read at every page load, so a
    catalog still loading at start is named without its size)."""
    now = snapshot(state)
    parts = [ui.headline(now) for spec in catalog.CATALOGS if (ui := catalog_ui(spec)) is not None]
    named = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    count = f"{NUMBER_WORDS.get(len(parts), len(parts))} catalog{'s' if len(parts) != 1 else ''}"
    return f"# Streaming recommender\n{count}, each with its model and its questions: {named}."


def notices_markdown(state: Any) -> str:
    """What is still loading and the notices (the snapshot's, and a Live's update notices), as quoted lines."""
    now = snapshot(state)
    lines = [now.loading_text()] if now.pending & {"data", "model"} else []
    return "\n".join(f"> **Note:** {n}" for n in [*lines, *state.all_notices()])
