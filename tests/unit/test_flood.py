"""Flood control in (FloodGate) and out (ChatPacer), on a hand-driven clock."""

from __future__ import annotations

import asyncio

import pytest

from bot.flood import Admission, ChatPacer, FloodGate
from bot.ui import Incoming, IncomingKind
from core.citizens.model import IdentityRef

OLENA = IdentityRef("telegram", "1")
PETRO = IdentityRef("telegram", "2")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def gate(clock: Clock, updates: int = 5, window_s: float = 3.0, **kw: int) -> FloodGate:
    return FloodGate(updates, window_s, clock=clock, **kw)


def text(identity: IdentityRef, update_id: str, hint: str | None = "en") -> Incoming:
    return Incoming(identity, IncomingKind.TEXT, text="hi", update_id=update_id, language_hint=hint)


# ---- FloodGate -------------------------------------------------------------------------------


def test_a_burst_beyond_the_limit_is_dropped_with_one_warning_per_episode() -> None:
    clock = Clock()
    limiter = gate(clock)
    verdicts = [limiter.admit(OLENA, str(n)) for n in range(50)]
    assert verdicts[:5] == [Admission.ADMIT] * 5
    assert verdicts[5] is Admission.WARN
    assert verdicts[6:] == [Admission.DROP] * 44
    assert limiter.dropped == 45


def test_the_sustained_rate_is_admitted_and_a_new_flood_warns_again() -> None:
    clock = Clock()
    limiter = gate(clock)  # 5 per 3 s: one more every 0.6 s
    for n in range(6):
        limiter.admit(OLENA, f"a{n}")
    admitted = 0
    for n in range(100):  # 50 a second for 2 s: one warning at most, ~1.67/s admitted
        clock.now += 0.02
        verdict = limiter.admit(OLENA, f"b{n}")
        assert verdict is not Admission.WARN
        admitted += verdict is Admission.ADMIT
    assert admitted == 3
    clock.now += 3.0  # quiet for a window: the episode is over, the bucket full again
    assert [limiter.admit(OLENA, f"c{n}") for n in range(6)][-2:] == [
        Admission.ADMIT,
        Admission.WARN,
    ]


def test_only_a_flood_past_its_note_is_dropped_early_and_it_is_counted_once() -> None:
    clock = Clock()
    limiter = gate(clock, updates=2)
    assert not limiter.drop_early(OLENA, "1")  # never seen: ask admit
    assert limiter.admit(OLENA, "1") is Admission.ADMIT
    assert limiter.admit(OLENA, "2") is Admission.ADMIT
    assert not limiter.drop_early(OLENA, "3")  # this drop earns the note: the full path
    assert limiter.admit(OLENA, "3") is Admission.WARN
    assert limiter.drop_early(OLENA, "4")
    assert not limiter.drop_early(OLENA, "2")  # a redelivery of an admitted update
    assert limiter.dropped == 2
    clock.now += 1.0  # 2 per 3 s: two thirds of a token, still dropped early
    assert limiter.drop_early(OLENA, "5")
    clock.now += 0.5  # a whole token: the full path admits
    assert not limiter.drop_early(OLENA, "6")
    assert limiter.admit(OLENA, "6") is Admission.ADMIT
    clock.now += 3.0  # no drop for a window: the episode is over
    assert [limiter.admit(OLENA, n) for n in "789"] == [Admission.ADMIT] * 2 + [Admission.WARN]
    assert limiter.dropped == 4


def test_residents_and_platforms_are_limited_separately() -> None:
    limiter = gate(Clock(), updates=1)
    assert limiter.admit(OLENA, "1") is Admission.ADMIT
    assert limiter.admit(OLENA, "2") is Admission.WARN
    assert limiter.admit(PETRO, "3") is Admission.ADMIT
    assert limiter.admit(IdentityRef("viber", "1"), "4") is Admission.ADMIT


def test_a_redelivered_update_is_not_charged_again() -> None:
    limiter = gate(Clock(), updates=2)
    assert limiter.admit(OLENA, "7") is Admission.ADMIT
    for _ in range(20):  # the platform retrying: the unit of work dedupes, no warning
        assert limiter.admit(OLENA, "7") is Admission.ADMIT
    assert limiter.admit(OLENA, "8") is Admission.ADMIT
    assert limiter.admit(OLENA, "9") is Admission.WARN


def test_memory_stays_bounded_idle_keys_are_evicted() -> None:
    clock = Clock()
    limiter = gate(clock, max_keys=1000)
    for n in range(10_000):  # 10 000 residents writing once each, 100 a second
        clock.now += 0.01
        limiter.admit(IdentityRef("telegram", str(n)), "1")
    assert len(limiter) <= 301  # those seen within the last window
    for n in range(5000):  # at once: the hard cap holds
        limiter.admit(IdentityRef("viber", str(n)), "1")
    assert len(limiter) == 1000


def test_zero_updates_turns_the_gate_off() -> None:
    limiter = gate(Clock(), updates=0)
    assert all(limiter.admit(OLENA, str(n)) is Admission.ADMIT for n in range(100))
    assert len(limiter) == 0


@pytest.mark.parametrize(("hint", "word"), [("uk", "Будь ласка"), ("en", "Please"), (None, "Будь")])
def test_the_slow_down_note_is_in_the_residents_language(hint: str | None, word: str) -> None:
    limiter = gate(Clock(), updates=1)
    assert limiter.hold(text(OLENA, "1", hint), "uk") is None
    (note,) = limiter.hold(text(OLENA, "2", hint), "uk") or []
    assert word in note.text
    assert limiter.hold(text(OLENA, "3", hint), "uk") == []


# ---- ChatPacer -------------------------------------------------------------------------------


async def send_through(
    pacer: ChatPacer, chat: int, sent: list[tuple[int, float]], clock: Clock
) -> bool:
    async with pacer.lane(chat) as lane:
        if lane is None:
            return False

        async def record() -> None:
            sent.append((chat, clock.now))

        await lane.run(record)
        return True


async def test_a_chat_gets_a_burst_then_one_message_per_interval() -> None:
    clock = Clock()
    pacer = ChatPacer(1.0, burst=3, backlog=100, clock=clock, sleep=clock.sleep)
    sent: list[tuple[int, float]] = []
    for _ in range(6):
        await send_through(pacer, 1, sent, clock)
    times = [t - 1000.0 for _, t in sent]
    assert times == [0.0, 0.0, 0.0, 3.0, 3.0, 3.0]  # never more than 3 in any 3 s
    await send_through(pacer, 2, sent, clock)  # another chat is not held back
    assert sent[-1] == (2, clock.now)


async def test_a_pause_holds_only_its_own_chat() -> None:
    clock = Clock()
    pacer = ChatPacer(1.0, clock=clock, sleep=clock.sleep)
    async with pacer.lane(1) as lane:
        assert lane is not None
        lane.pause(5.0)
    sent: list[tuple[int, float]] = []
    await send_through(pacer, 2, sent, clock)
    assert sent == [(2, 1000.0)]
    await send_through(pacer, 1, sent, clock)
    assert sent[-1] == (1, 1005.0)


async def test_a_chat_that_falls_behind_skips_its_oldest_replies_but_never_a_note() -> None:
    pacer = ChatPacer(10.0, burst=1, backlog=3)
    order: list[str] = []

    async def update(name: str, *, skippable: bool = True) -> None:
        async with pacer.lane(1, skippable=skippable) as lane:
            order.append(name if lane is not None else f"-{name}")

    async with pacer.lane(1) as lane:  # an update being answered while six more arrive
        assert lane is not None
        tasks = [asyncio.create_task(update(str(n))) for n in range(4)]
        tasks.append(asyncio.create_task(update("note", skippable=False)))
        tasks.append(asyncio.create_task(update("5")))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == ["-0", "-1", "-2", "3", "note", "5"]
    assert pacer.superseded == 3


async def test_idle_lanes_are_forgotten() -> None:
    clock = Clock()
    pacer = ChatPacer(1.0, clock=clock, sleep=clock.sleep)
    sent: list[tuple[int, float]] = []
    for chat in range(1000):
        clock.now += 0.1
        await send_through(pacer, chat, sent, clock)
    assert len(pacer) <= 32  # only the chats sent something within the last 3 s
