"""Train REINFORCE on CartPole-v1 from the command line.

    python -m core.reinforce.train --preset fast --until-solved
    python -m core.reinforce.train --lr 0.003 --baseline none --max-episodes 2000 --jsonl run.jsonl

Every config field has a flag (see --help). A progress bar goes to stderr on a terminal; the
last line on stdout is one JSON object summarising the run. The preset "home" trains the home
page's loss; that code itself runs with python -m core.reinforce.home_loop.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import fields, replace
from typing import Any, TextIO

from core.reinforce.config import (
    CHOICES,
    PRESETS,
    TrainConfig,
    config_warnings,
    field_help,
    validate_config,
)
from core.reinforce.rollout import reward_threshold
from core.reinforce.trainer import SOLVE_WINDOW, ChunkResult, Trainer

CHUNK_SECONDS = 0.2
"""Wall-clock length of one chunk between progress-bar refreshes."""

def _hidden(text: str) -> tuple[int, ...]:
    """Layer sizes from "64,32" ('' or blanks: no hidden layer, a linear policy). An empty or
    non-integer entry is refused here; the sizes' range is ``validate_config``'s."""
    compact = text.replace(" ", "")
    if not compact:
        return ()
    parts = compact.split(",")
    if not all(parts):
        raise argparse.ArgumentTypeError(
            f"{text!r} has an empty entry: give the layer sizes separated by single commas, "
            "e.g. 64,32 ('' = a linear policy).")
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: each layer size must be a whole number, e.g. 64,32.") from None


def _seconds(text: str) -> float:
    """A wall-clock limit: a finite number of seconds, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds.") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f"{text!r}: the time limit must be a finite number of seconds, zero or more.")
    return value


def _optional_float(text: str) -> float | None:
    return None if text.lower() in ("none", "off", "") else float(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one flag per config field plus the run controls."""
    parser = argparse.ArgumentParser(prog="python -m core.reinforce.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default", choices=sorted(PRESETS),
                        help="starting configuration (flags override its fields)")
    parser.add_argument("--until-solved", action="store_true",
                        help=f"stop once the last {SOLVE_WINDOW} episodes average at least "
                             f"{reward_threshold():g}")
    parser.add_argument("--jsonl", metavar="PATH", help="write one JSON record per episode")
    parser.add_argument("--max-seconds", type=_seconds, default=None,
                        help="stop after this much wall-clock time")
    parser.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        kind: Any = {"hidden": _hidden, "max_grad_norm": _optional_float}.get(f.name)
        if kind is None:
            kind = {"int": int, "float": float}.get(str(f.type), str)
        extra = {"hidden": " Comma separated ('' = linear policy).",
                 "max_grad_norm": " 'none' = no clipping."}.get(f.name, "")
        parser.add_argument(flag, dest=f.name, type=kind, default=argparse.SUPPRESS,
                            choices=CHOICES.get(f.name),
                            help=(field_help(f.name) + extra).replace("%", "%%"))
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The preset with every given flag applied."""
    overrides = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
                 if hasattr(args, f.name)}
    return replace(PRESETS[args.preset], **overrides)


def _write_jsonl(out: TextIO, chunk: ChunkResult) -> None:
    by_update = {u.update: u for u in chunk.updates}
    for record in chunk.episodes:
        row: dict[str, Any] = {"episode": record.episode, "return": record.ret,
                               "length": record.length, "update": record.update}
        update = by_update.get(record.update)
        if update is not None and update.episodes == record.episode:
            row.update(loss=update.loss, grad_norm=update.grad_norm, entropy=update.entropy,
                       lr=update.lr)
        out.write(json.dumps(row) + "\n")


def _progress(trainer: Trainer, stream: TextIO) -> None:
    done, total = len(trainer.episodes), trainer.config.max_episodes
    width = 30
    filled = int(width * min(done / total, 1.0))
    mean = trainer.mean_last()
    rate = trainer.env_steps / trainer.seconds if trainer.seconds > 0 else 0.0
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:>6}/{total} episodes  "
                 f"last-100 mean {0.0 if math.isnan(mean) else mean:6.1f}  "
                 f"{rate / 1000:7.1f}k steps/s")
    stream.flush()


def summary(trainer: Trainer, wall_s: float) -> dict[str, Any]:
    """The final JSON object of a run."""
    mean = trainer.mean_last()
    return {
        "solved": trainer.solved,
        "episodes": len(trainer.episodes),
        "updates": len(trainer.updates),
        "env_steps": trainer.env_steps,
        "wall_s": round(wall_s, 4),
        "steps_per_s": round(trainer.env_steps / wall_s, 1) if wall_s > 0 else None,
        "final_mean_return": None if math.isnan(mean) else round(mean, 3),
        "solved_at_episode": trainer.solved_at,
        "stop_reason": trainer.stop_reason,
        "config": trainer.config.to_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 on a bad config or a divergence)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    config = config_from_args(args)
    problem = validate_config(config)
    if problem:
        parser.error(problem)
    for warning in config_warnings(config):
        sys.stderr.write(f"warning: {warning}\n")
    try:  # opened before training starts, so a bad path costs nothing
        jsonl = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else None  # noqa: SIM115
    except OSError as error:
        parser.error(f"cannot write the --jsonl file {args.jsonl!r}: "
                     f"{error.strerror or error}.")
    show_bar = not args.no_progress and sys.stderr.isatty()
    trainer = Trainer(config)
    start = time.perf_counter()
    try:
        while not trainer.stopped and not (args.until_solved and trainer.solved):
            elapsed = time.perf_counter() - start
            if args.max_seconds is not None and elapsed >= args.max_seconds:
                break
            chunk_s = CHUNK_SECONDS if (show_bar or jsonl) else None
            if args.max_seconds is not None:
                left = args.max_seconds - elapsed
                chunk_s = left if chunk_s is None else min(chunk_s, left)
            chunk = trainer.step(max_seconds=chunk_s, stop_when_solved=args.until_solved)
            if jsonl:
                _write_jsonl(jsonl, chunk)
            if show_bar:
                _progress(trainer, sys.stderr)
    finally:
        wall_s = time.perf_counter() - start
        if jsonl:
            jsonl.close()
        if show_bar:
            sys.stderr.write("\n")
        trainer.close()
    if trainer.stop_reason and trainer.diverged:
        sys.stderr.write(trainer.stop_reason + "\n")
    print(json.dumps(summary(trainer, wall_s)))
    return 2 if trainer.diverged else 0


if __name__ == "__main__":
    raise SystemExit(main())
