"""The stdio MCP server of a product, on the official Python SDK (PyPI ``mcp``).

It serves what :mod:`.tools` and :mod:`.skills` derive from the compiled contract and the
generated files, and runs every tool call through the client's own ``execute`` (the same
argv grammar, request mapping, credentials, timeouts and retries as the command line):

    tool arguments --tools.to_argv--> argv --execute--> Outcome --> CallToolResult

A successful call answers the reply's data as JSON text (and as ``structuredContent`` when
it is an object); a failed one is a tool error (``isError``) whose text and
``structuredContent`` carry the product's error code, message, retryable flag, recovery
hint and exit code. Nothing answered holds a credential: the runtime redacts the one it
used, and this layer also masks every credential variable's value of its environment.

The client's standard input is the MCP channel here, so ``execute`` never gets it: a
stdin credential source or a ``-`` file reads nothing. Calls run in a worker thread, so a
long poll does not stall the session.

The SDK is imported here only; :mod:`.tools` and :mod:`.skills` need the standard library
alone, and the published client's base install never imports this module.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from ..contract import protocol
from . import skills as skill_files
from . import tools as tool_defs

#: ``execute(contract, argv, env, **keywords) -> Outcome`` (see ``client.runtime``).
Execute = Callable[..., Any]


class GetSkillParams(types.RequestParams):
    """``skills/get`` parameters (skills extension): the URI of a skill's SKILL.md."""

    uri: str


class Product:
    """Everything one server serves: the contract, the skills library, the runtime's
    ``execute`` and the environment calls run with (the server's own by default)."""

    def __init__(
        self,
        contract: dict[str, Any],
        library: skill_files.Library,
        execute: Execute | None,
        *,
        env: Mapping[str, str] | None = None,
        package: str | None = None,
        execute_keywords: Mapping[str, Any] | None = None,
    ) -> None:
        self.contract = contract
        self.library = library
        self.execute = execute
        self.env = dict(os.environ if env is None else env)
        self.package = package
        self.execute_keywords = dict(execute_keywords or {})
        self.tools = tool_defs.tools(contract)
        self.card = skill_files.server_card(contract, self.tools, library, package=package)
        card = skill_files.Resource(
            skill_files.SERVER_CARD_URI,
            "server-card.json",
            (json.dumps(self.card, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            "application/json",
            "What this server is and how to start it.",
        )
        self.resources = {r.uri: r for r in [*library.resources(), card]}

    # ------------------------------------------------------------------ secrets

    def secrets(self) -> list[str]:
        """Values of the environment that hold a credential (masked in every answer)."""
        names: set[str] = set()
        settings = (self.contract.get("protocol") or {}).get("credential") or {}
        names |= {s["name"] for s in settings.get("sources") or () if s.get("kind") == "env"}
        for command in self.contract["commands"]:
            names |= {f["env"] for f in command.get("flags") or () if f.get("secret") and f.get("env")}
        names |= {f["env"] for f in self.contract.get("global_flags") or () if f.get("secret") and f.get("env")}
        return [self.env[n] for n in sorted(names) if self.env.get(n)]

    # ------------------------------------------------------------------ calls

    def call(self, name: str, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        """Run one tool call to its result (blocking)."""
        command = tool_defs.command_for_tool(self.contract, name)
        if command is None:
            return self._error(
                {
                    "code": protocol.situation_code(self.contract, "unknown_command"),
                    "message": f"no tool named {name!r}",
                    "retryable": False,
                },
                None,
            )
        try:
            argv = tool_defs.to_argv(self.contract, command, arguments)
        except tool_defs.ToolInputError as problem:
            code, exit_code = protocol.situation_exit(self.contract, "usage")
            return self._error({"code": code, "message": problem.message, "retryable": False}, exit_code)
        if self.execute is None:
            code, exit_code = protocol.situation_exit(self.contract, "internal")
            return self._error(
                {"code": code, "message": "this client has no runtime to run commands", "retryable": False}, exit_code
            )
        outcome = self.execute(
            self.contract,
            argv,
            self.env,
            stdin=io.BytesIO(b""),
            stdin_is_tty=False,
            **self.execute_keywords,
        )
        secrets = self.secrets()
        if not getattr(outcome, "ok", False) or getattr(outcome, "error", None):
            error = dict(outcome.error or {})
            return self._error(protocol.redact(error, secrets), outcome.exit_code)
        data = outcome.data
        if data is None:
            text = (outcome.stdout or b"").decode("utf-8", "replace")
            data = protocol.redact(text, secrets)
            return types.CallToolResult(content=[types.TextContent(text=data)])
        data = protocol.redact(data, secrets)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        structured = data if isinstance(data, dict) else None
        return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=structured)

    def _error(self, error: dict[str, Any], exit_code: int | None) -> types.CallToolResult:
        code = error.get("code")
        lines = [f"{code}: {error.get('message') or ''}".strip()]
        if error.get("retryable") is not None:
            lines.append("Retryable: " + ("yes" if error["retryable"] else "no"))
        lines += _recovery_lines(error.get("recovery"))
        structured = {"ok": False, "error": error, "exit_code": exit_code}
        return types.CallToolResult(
            content=[types.TextContent(text="\n".join(lines))], structured_content=structured, is_error=True
        )

    # ------------------------------------------------------------------ resources

    def read(self, uri: str) -> skill_files.Resource | None:
        return self.resources.get(uri)


def _recovery_lines(recovery: Any) -> list[str]:
    """The recovery hint in words: a text as it is; an object's ``hint`` first, then its other
    fields as ``key: value`` (the whole object is in ``structuredContent`` too)."""
    if not recovery:
        return []
    if isinstance(recovery, str):
        return [f"Recovery: {recovery}"]
    if not isinstance(recovery, dict):
        return ["Recovery: " + json.dumps(recovery, ensure_ascii=False)]
    lines = [f"Recovery: {recovery['hint']}"] if isinstance(recovery.get("hint"), str) else []
    for key, value in recovery.items():
        if key != "hint" and value not in (None, "", [], {}):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {key}: {text}")
    return lines


def build_server(product: Product) -> Server[Any]:
    """The SDK server with tools, resources and the skills extension's two methods."""
    contract = product.contract
    listed_tools = [types.Tool.model_validate(t) for t in product.tools]

    async def list_tools(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed_tools)

    async def call_tool(_ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        return await anyio.to_thread.run_sync(product.call, params.name, params.arguments)

    async def list_resources(
        _ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[types.Resource.model_validate(r.listing()) for r in product.resources.values()]
        )

    async def read_resource(
        _ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        found = product.read(str(params.uri))
        if found is None:
            from mcp.shared.exceptions import MCPError
            from mcp_types.jsonrpc import INVALID_PARAMS

            raise MCPError(code=INVALID_PARAMS, message=f"no resource {params.uri}")
        text = found.data.decode("utf-8", "replace")
        content = types.TextResourceContents.model_validate(
            {"uri": found.uri, "mimeType": found.media, "text": text, "_meta": {"sha256": found.sha256}}
        )
        return types.ReadResourceResult(contents=[content])

    skill_entries = product.library.skills_list_entries()

    async def list_skills(_ctx: ServerRequestContext[Any], _params: types.PaginatedRequestParams) -> dict[str, Any]:
        return {"skills": skill_entries, "ttlMs": 0, "cacheScope": "private"}

    async def get_skill(_ctx: ServerRequestContext[Any], params: GetSkillParams) -> dict[str, Any]:
        for entry in skill_entries:
            if entry["uri"] == params.uri:
                return {"skill": entry, "ttlMs": 0, "cacheScope": "private"}
        from mcp.shared.exceptions import MCPError
        from mcp_types.jsonrpc import INVALID_PARAMS

        raise MCPError(code=INVALID_PARAMS, message=f"no skill {params.uri}")

    product_info = contract["product"]
    server: Server[Any] = Server(
        product_info["id"],
        version=str(product_info["version"]),
        title=product_info["name"],
        description=product.card["description"],
        instructions=_instructions(product),
        website_url=(contract.get("urls") or {}).get("homepage"),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )
    server.extensions[skill_files.SKILLS_EXTENSION] = {}
    server.add_request_handler("skills/list", types.PaginatedRequestParams, list_skills)
    server.add_request_handler("skills/get", GetSkillParams, get_skill)
    return server


def _instructions(product: Product) -> str:
    cli = product.contract["product"]["cli_name"]
    lines = [
        (
            f"Tools run the `{cli}` commands of the same names through the same client; "
            "a failed call is a tool error with the product's error code, whether it is retryable and how to recover."
        ),
    ]
    entries = product.library.skill_entries()
    if entries:
        lines.append("Read a skill before using the tools: " + ", ".join(e["uri"] for e in entries) + ".")
    return " ".join(lines)


async def serve_stdio(product: Product) -> None:
    server = build_server(product)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def run(product: Product) -> int:
    """Serve on stdin/stdout until the host closes the channel; the exit code."""
    anyio.run(serve_stdio, product)
    return 0


__all__ = ["Product", "build_server", "run", "serve_stdio"]
