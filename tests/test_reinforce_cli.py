"""python -m core.reinforce.train end to end on small budgets."""

import json
import subprocess
import sys

import pytest

from harness.apptest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.reinforce.train", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # trains CartPole in a subprocess
def test_small_budget_run_writes_jsonl_and_a_final_json_line(tmp_path):
    path = tmp_path / "run.jsonl"
    proc = _run("--preset", "default", "--max-episodes", "40", "--lr", "0.01",
                "--hidden", "16,16", "--baseline", "none", "--max-grad-norm", "5",
                "--jsonl", str(path), "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["solved"] is False and summary["episodes"] == 40
    assert summary["env_steps"] > 0 and summary["wall_s"] > 0
    assert summary["config"]["hidden"] == [16, 16] and summary["config"]["baseline"] == "none"
    assert summary["config"]["max_grad_norm"] == 5.0
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["episode"] for r in rows] == list(range(1, 41))
    assert sum(r["length"] for r in rows) == summary["env_steps"]
    assert summary["final_mean_return"] == round(sum(r["return"] for r in rows) / 40, 3)
    assert all("loss" in r and "lr" in r for r in rows if r["episode"] % 16 == 0)
    assert "\r[" not in proc.stderr  # no progress bar when stderr is not a terminal


@pytest.mark.slow  # trains CartPole in a subprocess
def test_until_solved_stops_when_the_fast_preset_solves():
    proc = _run("--preset", "fast", "--until-solved", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["solved"] is True and summary["final_mean_return"] >= 475
    assert summary["episodes"] == summary["solved_at_episode"]


def test_bad_flag_values_are_refused_cleanly():
    proc = _run("--gamma", "2", "--max-episodes", "5")
    assert proc.returncode == 2 and "γ" in proc.stderr and "Traceback" not in proc.stderr
    proc = _run("--baseline", "median")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_divergence_exits_with_code_2_and_says_why():
    proc = _run("--lr", "1e39", "--max-episodes", "200")
    assert proc.returncode == 2
    assert json.loads(proc.stdout.strip().splitlines()[-1])["stop_reason"].startswith(
        "Training diverged")
