"""The admin API's OpenAPI 3.1 document, written from the actions themselves: each action's
parameters and result types (admin_cli/actions.py) are its request and response schemas, so
the document cannot drift from what the API accepts and answers."""

from __future__ import annotations

from typing import Any

from admin_cli.client import API_PREFIX as PREFIX
from admin_cli.client import API_VERSION as VERSION

_REF = "#/components/schemas/{model}"


def document() -> dict[str, Any]:
    from admin_cli import catalog

    schemas: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, Any] = {}
    for action in catalog.every():
        request = action.params_model.model_json_schema(ref_template=_REF)
        response = action.result_model.model_json_schema(ref_template=_REF, mode="serialization")
        for found in (request, response):
            schemas.update(found.pop("$defs", {}))
        paths[f"{PREFIX}/{VERSION}/actions/{action.name}"] = {
            "post": {
                "operationId": action.name,
                "summary": action.summary,
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": request}},
                },
                "responses": {
                    "200": {
                        "description": "Done",
                        "content": {"application/json": {"schema": response}},
                    },
                    **{status: _error(text) for status, text in _ERRORS.items()},
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Spilno admin API",
            "version": VERSION,
            "description": (
                "What officials do with spilno-admin, over HTTPS: one action per path, JSON in "
                "and out. Authenticate with a personal token (spilno-admin officials add / "
                "token) as a bearer token. X-Spilno-Hromada (a slug) chooses the hromada for "
                "an operator; by default the token's. Files travel as base64."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }


_ERRORS = {
    "400": "Bad parameters",
    "401": "No token, or a wrong, revoked or expired one",
    "403": "Outside the official's role or hromada",
    "404": "No such action or record",
    "409": "Refused by the rules (e.g. a campaign that is already closed)",
    "413": "Request body too large",
    "429": "Too many requests; see Retry-After",
    "503": "The database is unavailable",
}

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "exit_code"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "In the Accept-Language"},
                "exit_code": {"type": "integer", "description": "spilno-admin exits with it"},
            },
        }
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
    }
