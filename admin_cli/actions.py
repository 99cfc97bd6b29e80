"""Actions: each thing an official can do, written once, run in-process or behind /admin/api.

An action is an async function `(ctx, uow, *, params…) -> result` that calls core's services.
`spilno-admin` commands parse their arguments, call the action through a client
(admin_cli/client.py: in-process, or over HTTPS to an installation's admin API), and print what
it returns. The admin API (bot/admin_api.py) runs the very same function for a request. So
there is one implementation of every action, whichever way the official works.

Parameters and results cross the wire as JSON, typed by the function's annotations:
keyword-only parameters of plain types, enums, dates, dataclasses, and `bytes` for files
(base64 on the wire). The admin API validates what it receives and writes what it answers with
pydantic, which also writes the OpenAPI document from them; the CLI writes and reads the same
JSON with its own codec (admin_cli/wire.py), so a command loads no pydantic. The local client
sends parameters and results through that JSON both ways, so a type that cannot travel fails
in every test, not first on a remote official's computer.

Nothing registers at import time: admin_cli/catalog.py names every action and where it lives.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from admin_cli import wire

if TYPE_CHECKING:  # pydantic and the storage stack are imported when an action runs
    from pydantic import BaseModel, RootModel

    from core.bootstrap import App
    from core.kernel.unit_of_work import UnitOfWork

R = TypeVar("R")

# Files travel as base64 in JSON (admin_cli/wire.py writes and reads them alike).
WIRE_CONFIG: dict[str, Any] = {"ser_json_bytes": "base64", "val_json_bytes": "base64"}


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What an action knows besides its parameters: the installation (clock, settings) and who
    is acting — the official a personal token speaks for, or (locally, while no roles exist)
    the one `--as` names."""

    app: App
    official: str
    remote: bool = False

    def now(self) -> Any:
        return self.app.clock()


@dataclass(frozen=True, eq=False)
class Action(Generic[R]):
    """One action: its name on the wire (`campaign.list`), its function, and how it runs.

    `commit`: whether its unit of work commits (False for reads). `operator`: it runs in an
    operator unit of work (every hromada) and its services check the operator's permission;
    `operator_if_stranger`: so only for an operator who holds no role in the chosen hromada."""

    name: str
    func: Callable[..., Awaitable[R]]
    commit: bool = True
    operator: bool = False
    operator_if_stranger: bool = False

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.func) or self.name).split("\n\n")[0].replace("\n", " ")

    @functools.cached_property
    def annotations(self) -> dict[str, Any]:
        """Each parameter's type and the result's ("return"), resolved once."""
        return wire.hints(self.func, [p.name for p in _parameters(self.func)])

    @functools.cached_property
    def params_model(self) -> type[BaseModel]:
        """The parameters as a pydantic model (the admin API's): unknown or missing ones are
        refused."""
        from pydantic import ConfigDict, create_model

        fields: dict[str, Any] = {}
        for parameter in _parameters(self.func):
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[parameter.name] = (self.annotations[parameter.name], default)
        config = ConfigDict(extra="forbid", **WIRE_CONFIG)  # type: ignore[typeddict-item]
        model_name = "".join(p.title() for p in self.name.replace("-", ".").split(".")) + "Params"
        return create_model(model_name, __config__=config, **fields)

    @functools.cached_property
    def result_model(self) -> type[RootModel[R]]:
        """The result as a pydantic root model (a dataclass result cannot take a config of
        its own; the root model's reaches into it, for bytes as base64)."""
        from pydantic import ConfigDict, RootModel

        returned = self.annotations["return"]
        name = "".join(p.title() for p in self.name.replace("-", ".").split(".")) + "Result"
        config = ConfigDict(**WIRE_CONFIG)  # type: ignore[typeddict-item]
        return type(name, (RootModel[returned],), {"model_config": config})  # type: ignore[valid-type]

    # The admin API's side: untrusted parameters validated, the result written, by pydantic.

    def params_from_request(self, body: bytes) -> dict[str, Any]:
        """Parameters an HTTP request sent: anything wrong raises ValueError (pydantic's)."""
        model = self.params_model.model_validate_json(body or b"{}")
        return {name: getattr(model, name) for name in type(model).model_fields}

    def response_json(self, result: R) -> bytes:
        return self.result_model(result).model_dump_json().encode()

    # The CLI's side (admin_cli/wire.py): it builds the parameters and trusts the answer.

    @functools.cached_property
    def _wire(self) -> tuple[dict[str, tuple[wire.Codec, Any]], wire.Codec]:
        params = {
            p.name: (wire.codec(self.annotations[p.name]), p.default)
            for p in _parameters(self.func)
        }
        return params, wire.codec(self.annotations["return"])

    def params_json(self, params: dict[str, Any]) -> bytes:
        """The parameters as the admin API receives them, defaults written out. A missing or
        unknown one raises TypeError: the command that built them is wrong."""
        return wire.dumps(self._each_param(params, lambda codec, v: codec.encode(v), True))

    def params_from_json(self, body: bytes) -> dict[str, Any]:
        """What params_json wrote, back (the local client's trip)."""
        import json

        sent = json.loads(body or b"{}")
        if not isinstance(sent, dict):
            raise wire.WireError(f"{self.name}: parameters must be a JSON object")
        return self._each_param(sent, lambda codec, v: codec.decode(v), False)

    def _each_param(
        self, given: dict[str, Any], convert: Callable[[Any, Any], Any], defaults_too: bool
    ) -> dict[str, Any]:
        """Every parameter, `convert`ed by its codec; a missing one takes its default (itself
        converted when `defaults_too`). Unknown or missing ones: TypeError."""
        codecs, _ = self._wire
        unknown = given.keys() - codecs.keys()
        if unknown:
            raise TypeError(f"{self.name}: unknown parameters {sorted(unknown)}")
        done: dict[str, Any] = {}
        for name, (codec, default) in codecs.items():
            if name in given:
                done[name] = convert(codec, given[name])
            elif default is inspect.Parameter.empty:
                raise TypeError(f"{self.name}: missing parameter {name}")
            else:
                done[name] = convert(codec, default) if defaults_too else default
        return done

    def result_json(self, result: R) -> bytes:
        return wire.dumps(self._wire[1].encode(result))

    def result_from_json(self, body: bytes) -> R:
        import json

        decoded: R = self._wire[1].decode(json.loads(body))
        return decoded

    async def run(self, ctx: ActionContext, uow: UnitOfWork, params: dict[str, Any]) -> R:
        return await self.func(ctx, uow, **params)


def action(
    name: str, *, commit: bool = True, operator: bool = False, operator_if_stranger: bool = False
) -> Callable[[Callable[..., Awaitable[R]]], Action[R]]:
    """Make `func(ctx, uow, *, …)` the action `name` (admin_cli/catalog.py must list it)."""

    def wrap(func: Callable[..., Awaitable[R]]) -> Action[R]:
        for parameter in _parameters(func):
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"{name}: parameter {parameter.name} must be keyword-only")
        return Action(name, func, commit, operator, operator_if_stranger)

    return wrap


def _parameters(func: Callable[..., Any]) -> list[inspect.Parameter]:
    return list(inspect.signature(func).parameters.values())[2:]  # after ctx and uow
