"""The built-in profile: what a hromada without its own reads, and what migration 0018 seeded
hromada 1 with (Bila Tserkva's districts and topics, as they were constants before).

The file ships inside the package and is the same text as examples/hromada-bila-tserkva.yaml
(tests/unit/test_hromada_profile.py keeps them equal).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.hromadas.model import HromadaProfile

DEFAULT_PROFILE_FILE = "bila-tserkva.yaml"


def default_profile_text() -> str:
    return (files("core.hromadas") / DEFAULT_PROFILE_FILE).read_text(encoding="utf-8")


@cache
def default_profile() -> HromadaProfile:
    """Trusted (shipped, tested), so validated by the model without line numbers. YAML and the
    schema load here, when a profile is first needed: a remote `spilno-admin` never needs one."""
    import yaml

    from core.hromadas.profile_schema import ProfileModel

    return ProfileModel.model_validate(yaml.safe_load(default_profile_text())).profile()
