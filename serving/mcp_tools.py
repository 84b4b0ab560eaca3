"""What an MCP client gets back from the app's tools (APP_MCP=true; Gradio's MCP server at /gradio_api/mcp/).

Gradio makes every public event a tool: named after its function (the event's api_name), described by its
docstring (the "Args:" lines describe the parameters). It answers a call with the Python repr of the event's
outputs, tables included. `readable_results(demo)` makes each answer its readable part (the Markdown) and its
JSON part as JSON text, and leaves out the tables, whose rows the JSON holds.

Imported only when APP_MCP is on: the mcp package then loads with gradio's MCP server.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import gradio as gr

log = logging.getLogger(__name__)


def output_values(components: Sequence[Any], data: list) -> list:
    """The event's output values in order, whether gradio passes them one per item or (called without progress
    notifications) as one tuple."""
    if len(components) > 1 and len(data) == 1 and isinstance(data[0], (tuple, list)) \
            and len(data[0]) == len(components):
        return list(data[0])
    return list(data)


def answer_values(components: Sequence[Any], data: list) -> list:
    """The values an MCP client is given: every output but the tables (and gradio's session state)."""
    return [value for component, value in zip(components, output_values(components, data))
            if not isinstance(component, (gr.Dataframe, gr.State))]


def as_text(value: Any) -> str:
    """Text as it is (the Markdown answer); anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def readable_results(demo: gr.Blocks) -> None:
    """Set up the MCP server of `demo` (mounted with mcp_server=True) to answer as the module docstring says."""
    server = demo.mcp_server_obj
    if server is None:  # gradio could not start it (the app serves on without it)
        log.error("APP_MCP is on but the MCP server did not start: %s", demo.mcp_error or "unknown reason")
        return
    from mcp import types

    # On the instance: gradio's call_tool passes the outputs through these two steps.
    server.pop_returned_state = answer_values
    server.postprocess_output_data = lambda data, root_url: [types.TextContent(type="text", text=as_text(v))
                                                             for v in data]
