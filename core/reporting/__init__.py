"""Read-side renderings of results (charts). Heavy libraries are imported lazily, on first use."""
