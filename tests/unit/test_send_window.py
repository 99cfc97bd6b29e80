"""SendWindow: a bot's sends from one process never put more than `cap` into any window of
the platform's, however late single sends go out or travel (the platform counts a send when
it arrives: somewhere between our send and its answer)."""

from __future__ import annotations

import asyncio
import random

from core.delivery.worker import SendWindow

CAP, WINDOW = 10, 0.2


def busiest(arrivals: list[float], window: float) -> int:
    """Most arrivals in any (t - window, t] — the fake Bot API's count."""
    times = sorted(arrivals)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _send_through(
    window: SendWindow | None, delays: list[tuple[float, float]]
) -> list[float]:
    """Send as fast as `window` allows (without one: at the cap's own pace); each send takes
    `to` seconds to arrive and `back` for its answer. The arrival times."""
    loop = asyncio.get_running_loop()
    arrivals: list[float] = []

    async def one(to: float, back: float) -> None:
        await asyncio.sleep(to)
        arrivals.append(loop.time())
        await asyncio.sleep(back)

    tasks = []
    for to, back in delays:
        if window is not None:
            await window.turn(asyncio.sleep)
        else:
            await asyncio.sleep(WINDOW / CAP * 1.03)  # 3 % under the cap, evenly spaced
        task = asyncio.ensure_future(one(to, back))
        if window is not None:
            window.sent(task)
        tasks.append(task)
    await asyncio.gather(*tasks)
    return arrivals


def _delays(seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    delays = [(rng.uniform(0.0, 0.004), rng.uniform(0.0, 0.004)) for _ in range(60)]
    # Now and then one send is held up on its way (a busy CPU, the network).
    for k in (7, 23, 41):
        delays[k] = (0.12, 0.002)
    return delays


async def test_a_send_held_up_on_its_way_crowds_the_window_without_the_guard() -> None:
    # The premise: evenly paced 3 % under the cap, one late arrival is one too many.
    assert busiest(await _send_through(None, _delays(1)), WINDOW) > CAP


async def test_with_the_guard_no_window_ever_holds_more_than_the_cap() -> None:
    for seed in (1, 2, 3):
        arrivals = await _send_through(SendWindow(CAP, WINDOW), _delays(seed))
        assert len(arrivals) == 60
        assert busiest(arrivals, WINDOW) <= CAP


async def test_the_guard_costs_about_one_round_trip_per_cap_sends() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _send_through(SendWindow(CAP, WINDOW), [(0.001, 0.001)] * 50)
    # 50 sends: the first 10 at once, then 4 more windows of a round trip (~2 ms) each.
    assert loop.time() - started < 4 * (WINDOW + 0.02) + 0.1
