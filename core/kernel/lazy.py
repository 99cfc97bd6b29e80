"""`lazy(name)`: a module loaded on first use of one of its attributes.

For the short-lived processes (every `spilno-admin` command is one): a module that names
another for a few of its functions only — a campaign's pushes for its transitions, not for
listing campaigns — need not pay for importing it (and what it imports) on every run."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """The module `name`: the one already imported, else one that is imported on first use."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
