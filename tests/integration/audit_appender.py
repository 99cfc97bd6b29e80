"""A child process for the concurrent-append test: append N audit entries, one transaction each."""

from __future__ import annotations

import asyncio
import sys

from core.audit import service as audit
from core.bootstrap import bootstrap, utc_now
from core.config import Settings


async def main(url: str, name: str, count: int) -> None:
    app = bootstrap(Settings(database_url=url, _env_file=None))
    try:
        for i in range(count):
            async with app.uow_factory() as uow:
                await audit.record(
                    uow,
                    actor=name,
                    action="test.append",
                    object_type="test",
                    object_id=i,
                    now=utc_now(),
                    after={"i": i, "by": name},
                )
                await uow.commit()
    finally:
        await app.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
