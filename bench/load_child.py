"""The parent's handle on a load child process, shared by the benches that drive a bot from one.

The child prints its fake API's URL as its first JSON line, then answers each order (one JSON
line on stdin) with one JSON line of figures, so driving the load does not eat the bot's CPU.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any


class LoadProcess:
    def __init__(self, args: list[str], cwd: Path) -> None:
        self.args = args
        self.cwd = cwd

    async def __aenter__(self) -> LoadProcess:
        self.process = await asyncio.create_subprocess_exec(
            *self.args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=self.cwd
        )
        assert self.process.stdout is not None
        self.url: str = json.loads(await self.process.stdout.readline())["url"]
        return self

    async def run(self, order: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write((json.dumps(order) + "\n").encode())
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the load child died")
        return dict(json.loads(line))

    async def __aexit__(self, *exc: object) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
