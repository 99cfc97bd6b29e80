"""The campaign-kind template: every kind is registered once, explicitly, and core/ has no
import cycle (the template dispatches to kinds; kinds never import the template's lifecycle)."""

import ast
from pathlib import Path

import pytest

from core.campaigns.kinds import CampaignKindSpec, KindRegistry
from core.campaigns.model import CampaignKind
from core.campaigns.registry import KINDS

CORE = Path(__file__).resolve().parents[2] / "core"


def test_every_campaign_kind_has_exactly_one_spec():
    assert sorted(spec.kind for spec in KINDS) == sorted(CampaignKind)
    for kind in CampaignKind:
        assert KINDS.spec(kind).kind == kind
        assert KINDS.spec(kind.value).kind == kind


def test_a_kind_registered_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        KindRegistry((CampaignKindSpec(CampaignKind.POLL), CampaignKindSpec(CampaignKind.POLL)))


@pytest.mark.parametrize("kind", ["petition", "", "POLL"])
def test_an_unregistered_kind_is_a_lookup_error(kind):
    registry = KindRegistry((CampaignKindSpec(CampaignKind.POLL),))
    with pytest.raises(LookupError, match="not registered"):
        registry.spec(kind)
    with pytest.raises(LookupError):
        registry.spec(CampaignKind.CONTEST)


def test_kinds_whose_outcome_comes_later_send_their_own_results():
    # The shared "closed, here are the results" push would precede the real outcome.
    assert not KINDS.spec(CampaignKind.CONTEST).results_on_close
    assert not KINDS.spec(CampaignKind.CONSULTATION).results_on_close
    assert not KINDS.spec(CampaignKind.PB).results_on_close
    assert KINDS.spec(CampaignKind.POLL).results_on_close
    assert not KINDS.spec(CampaignKind.PETITION).results_on_close
    # Their sweeps run in registry order: (contests voting, finished, consultations published,
    # public budgets in review, voting, results, implementation, petitions closed without
    # enough signatures).
    assert [s.kind for s in KINDS if s.sweep] == [
        CampaignKind.CONTEST,
        CampaignKind.CONSULTATION,
        CampaignKind.PB,
        CampaignKind.PETITION,
    ]


def _module(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """Modules of core/ imported anywhere in the file (also inside functions), except under
    `if TYPE_CHECKING:`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith("core."):
                found.add(name)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_core_has_no_import_cycle():
    files = [p for p in CORE.rglob("*.py") if "migrations" not in p.parts]
    modules = {_module(p) for p in files}
    graph = {
        _module(p): _core_imports(ast.parse(p.read_text(encoding="utf-8")), modules) - {_module(p)}
        for p in files
    }
    assert _cycle(graph) is None
