"""One source of truth for the CartPole config (issue 14.2) and its warnings (issue 13, 1.7)."""

from dataclasses import fields, replace
from typing import get_args, get_type_hints

import numpy as np
import pytest

from core.reinforce import config as c
from core.reinforce.returns import apply_baseline, step_weights
from core.reinforce.train import build_parser


def test_option_lists_are_the_literal_types():
    hints = get_type_hints(c.TrainConfig)
    assert c.CHOICES["baseline"] == get_args(hints["baseline"]) == c.BASELINES
    assert c.CHOICES["weighting"] == c.WEIGHTINGS and "learned" in c.BASELINES
    for name, options in c.CHOICES.items():
        assert set(c.LABELS[name]) == set(options), name   # every option has one label


def test_every_field_has_a_docstring_and_the_cli_help_is_it():
    assert set(c.FIELD_DOCS) == {f.name for f in fields(c.TrainConfig)}
    parser = build_parser()
    by_dest = {a.dest: a for a in parser._actions}
    for f in fields(c.TrainConfig):
        assert by_dest[f.name].help.replace("%%", "%").startswith(c.FIELD_DOCS[f.name])
        if f.name in c.CHOICES:
            assert tuple(by_dest[f.name].choices) == c.CHOICES[f.name]


def test_whole_return_with_per_episode_standardise_is_a_warning_not_an_error():
    bad = replace(c.TrainConfig(), weighting="total", baseline="episode_standardise")
    assert c.validate_config(bad) is None
    (warning,) = c.config_warnings(bad)
    assert "standardise within each episode" in warning and "0" in warning
    assert c.config_warnings(c.TrainConfig()) == []
    # The reason, checked: every weight is 0 whatever the episode.
    lengths = np.array([7, 30, 12])
    rewards = np.ones(int(lengths.sum()))
    w = apply_baseline(step_weights(rewards, lengths, 0.99, "total"), lengths,
                       "episode_standardise")
    assert np.all(np.abs(w) < 1e-6)   # 0 up to rounding: the gradient is rounding noise


def test_cli_warns_about_it(capsys):
    from core.reinforce.train import main
    assert main(["--weighting", "total", "--baseline", "episode_standardise",
                 "--max-episodes", "2", "--no-progress"]) == 0
    assert "warning:" in capsys.readouterr().err


def test_every_preset_has_a_label():
    # That "home" is the home page's loss is checked by running that code:
    # tests/test_home_loop.py.
    assert set(c.PRESET_LABELS) == set(c.PRESETS)


def test_every_option_is_named_in_its_fields_docstring():
    # The docstring is the CLI's --help and the page's help: an option it leaves out is one
    # a reader cannot learn about there.
    for name, options in c.CHOICES.items():
        missing = [o for o in options if f'"{o}"' not in c.FIELD_DOCS[name]]
        assert not missing, f"{name}'s docstring does not mention {missing}"


@pytest.mark.parametrize("field", ["value_lr", "value_steps"])
def test_learned_baseline_settings_are_validated(field):
    assert c.validate_config(replace(c.TrainConfig(), **{field: 0})) is not None
