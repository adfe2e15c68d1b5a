"""The kernel's rules, checked on the source: populations meet only in ``SovereignAIModel.step``.

- no population module (``agents/``) imports another (a population's own rules module,
  ``agents/<population>_rules.py``, excepted);
- no population assigns to anything but its own attributes (``self.x = ...``), so another population's
  state cannot change behind the model's back;
- the shared vocabulary (``abm/vocab.py``) imports no model code, and no module compares sources or talent
  statuses as bare numbers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POPULATIONS = sorted(p for p in (ROOT / "agents").glob("*.py") if p.name != "__init__.py")


def _family(path: Path) -> set[str]:
    """A population's own helper modules: ``agents/<population>_<part>.py`` (e.g. government_rules)."""
    return {f"agents.{p.stem}" for p in POPULATIONS if p.stem.startswith(path.stem.split("_")[0] + "_")
            or p.stem == path.stem.split("_")[0]}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)   # from agents import firm
    return names


def _foreign_assignments(tree: ast.Module) -> list[str]:
    """Assignments to an attribute (or an item of one) of anything but ``self``, and setattr calls."""
    bad = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            bad.append(f"line {node.lineno}: setattr")
        for target in targets:
            for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if not _own(t):
                    bad.append(f"line {t.lineno}: {ast.unparse(t)}")
    return bad


def _own(target: ast.expr) -> bool:
    """A local name, an item of a local, ``self.x`` or an item of ``self.x`` (not ``self.model.x``)."""
    while isinstance(target, ast.Subscript):
        target = target.value
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"


@pytest.mark.parametrize("path", POPULATIONS, ids=lambda p: p.name)
def test_population_imports_no_other_population(path):
    others = {f"agents.{p.stem}" for p in POPULATIONS if p != path} - _family(path)
    assert not (_imported_modules(_tree(path)) & others)


@pytest.mark.parametrize("path", POPULATIONS, ids=lambda p: p.name)
def test_population_assigns_only_its_own_state(path):
    assert _foreign_assignments(_tree(path)) == []


def test_helper_modules_belong_to_their_population():
    gov = ROOT / "agents" / "government.py"
    assert "agents.government_rules" in _family(gov) and "agents.firm" not in _family(gov)
    assert _imported_modules(ast.parse("from agents import firm")) >= {"agents.firm"}


def test_the_rule_catches_a_write_to_another_population():
    sample = ast.parse("def step(self, model, firms):\n    firms.staff = 1\n    model.government.x[0] = 2\n"
                       "    self.ok = 3\n    self.arr[1] = 4\n    local = [0]\n    local[0] = 5\n"
                       "    self.model.talent.n = 6\n    a, self.b = 7, 8\n")
    assert _foreign_assignments(sample) == ["line 2: firms.staff", "line 3: model.government.x[0]",
                                            "line 8: self.model.talent.n"]


def test_vocabulary_is_the_ground_floor():
    imported = _imported_modules(_tree(ROOT / "abm" / "vocab.py"))
    assert not {m for m in imported if m.split(".")[0] in ("abm", "agents", "experiments", "viz")}


BARE_CODES = ("source >= 2", "source == 3", "source == 2", "source == 1", "source != 0", "status == 1")


@pytest.mark.parametrize("path", sorted((ROOT / "abm").glob("*.py")) + POPULATIONS, ids=lambda p: p.name)
def test_no_bare_source_or_status_codes(path):
    text = path.read_text(encoding="utf-8").replace(" ", "")
    assert [c for c in BARE_CODES if c.replace(" ", "") in text] == []


KERNEL = sorted((ROOT / "abm").glob("*.py")) + POPULATIONS
NOT_IN_KERNEL = ("typer", "rich", "matplotlib", "experiments", "viz", "solara")


@pytest.mark.parametrize("path", KERNEL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_kernel_imports_no_cli_plotting_or_upper_layer(path):
    imported = {m.split(".")[0] for m in _imported_modules(_tree(path))}
    assert not imported & set(NOT_IN_KERNEL)
