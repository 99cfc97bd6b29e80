"""Prometheus metrics (prometheus-client). One registry per process; /metrics exposes it.

Series (documented in README, "Operations"):
- spilno_updates_received_total{platform}   updates that reached the dialogs
- spilno_updates_processed_total{platform}  handled and committed (redeliveries included)
- spilno_updates_failed_total{platform}     ended in an apology or a storage outage
- spilno_handler_seconds{platform}          dialog handling latency (histogram)
- spilno_outbox_rows{state}                 outbox depth by state (read at scrape time)
- spilno_sends_total{platform,outcome}      bulk sends by outcome (sent/unreachable/failed/retry)
- spilno_rate_limit_pauses_total{platform}  429 / rate-limit pauses honoured
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_RECEIVED = Counter(
    "spilno_updates_received", "Updates that reached the dialogs", ["platform"], registry=REGISTRY
)
UPDATES_PROCESSED = Counter(
    "spilno_updates_processed", "Updates handled and committed", ["platform"], registry=REGISTRY
)
UPDATES_FAILED = Counter(
    "spilno_updates_failed",
    "Updates that ended in an apology or a storage outage",
    ["platform"],
    registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "spilno_handler_seconds",
    "Dialog handling latency",
    ["platform"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
OUTBOX_ROWS = Gauge("spilno_outbox_rows", "Outbox rows by state", ["state"], registry=REGISTRY)
SENDS = Counter("spilno_sends", "Bulk sends by outcome", ["platform", "outcome"], registry=REGISTRY)
RATE_LIMIT_PAUSES = Counter(
    "spilno_rate_limit_pauses", "Rate-limit pauses honoured", ["platform"], registry=REGISTRY
)
