"""One source for the constants charts and pages print (issue 14.2): 475 and 500 from
gymnasium's spec, ±1.96 from one quantile, no literals in the chart modules."""

import ast
import re
from pathlib import Path

import gymnasium as gym

from core.confidence import Z95
from core.reinforce.rollout import EPISODE_CAP, SOLVED_RETURN
from harness.apptest import ROOT


def test_constants_come_from_their_sources():
    assert SOLVED_RETURN == gym.spec("CartPole-v1").reward_threshold == 475
    assert EPISODE_CAP == gym.spec("CartPole-v1").max_episode_steps == 500
    assert Z95 == 1.96


def _literals(path: Path) -> list[tuple[int, object]]:
    """Every constant of a module except docstrings (string statements)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and id(node) not in docs]


def test_no_literal_copies_in_charts_and_pages():
    text = re.compile(r"(?<![\d.,])(1\.96|475)(?![\d,]|\.\d)")
    offenders = []
    for folder in ("core/charts", "pages", "ui", "core/reinforce"):
        for path in sorted((Path(ROOT) / folder).glob("*.py")):
            for line, value in _literals(path):
                if (isinstance(value, float | int) and value in (1.96, 475)
                        and not isinstance(value, bool)) or (
                        isinstance(value, str) and text.search(value)):
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {value!r}")
    assert not offenders, "\n".join(offenders)
