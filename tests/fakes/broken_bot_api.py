"""Bot API servers that fail the ways a wrong setting makes them fail, on 127.0.0.1.

- `redirect_loop_url`: every request is redirected to itself (a proxy or URL gone wrong);
  aiohttp gives up with TooManyRedirects, quoting the full URL — `/bot<TOKEN>/<method>`.
- `unauthorized_url`: every request gets the Bot API's 401 (a revoked or mistyped token).
- `closed_url`: a port nothing listens on.

It runs on its own event loop thread, so both a subprocess and the in-process CLI (which runs
its own `asyncio.run`) can talk to it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiohttp import web

from tests.processes import free_port


@dataclass(frozen=True)
class BrokenBotApi:
    redirect_loop_url: str
    unauthorized_url: str
    closed_url: str


async def _redirect_to_itself(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(str(request.url))


async def _unauthorized(_request: web.Request) -> web.StreamResponse:
    body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
    return web.json_response(body, status=401)


async def _serve(handler, ready: threading.Event, ports: list[int], stop: asyncio.Event) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    ready.set()
    await stop.wait()
    await runner.cleanup()


@contextmanager
def broken_bot_api() -> Iterator[BrokenBotApi]:
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ports: dict[str, list[int]] = {"loop": [], "401": []}
    ready = [threading.Event(), threading.Event()]

    async def main() -> None:
        await asyncio.gather(
            _serve(_redirect_to_itself, ready[0], ports["loop"], stop),
            _serve(_unauthorized, ready[1], ports["401"], stop),
        )

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    for event in ready:
        assert event.wait(10), "the broken Bot API did not start"
    try:
        yield BrokenBotApi(
            redirect_loop_url=f"http://127.0.0.1:{ports['loop'][0]}",
            unauthorized_url=f"http://127.0.0.1:{ports['401'][0]}",
            closed_url=f"http://127.0.0.1:{free_port()}",
        )
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
