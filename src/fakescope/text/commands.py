"""``fakescope train text`` and ``fakescope generate text`` (typer-style functions).

Thin layers over :mod:`fakescope.text.training` and :mod:`fakescope.text.generation`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fakescope.console import err, progress_bar, usage_error
from fakescope.text.calibration import (
    DEFAULT_DETECTORS,
    WEIGHTS_ENV,
    shipped_weights_path,
    weights_path,
)
from fakescope.text.feature_fusion import STATISTICS
from fakescope.text.lm import MODEL_ENV
from fakescope.text.training import MIN_TEXTS_PER_CLASS
from fakescope.text.unigram import UNIGRAM_STATISTICS, unigram_table


def train_text(
    human: Annotated[
        list[Path], typer.Option(help="Human-written texts (.jsonl/.json/.txt/.md/.html); repeat.")
    ],
    machine: Annotated[list[Path], typer.Option(help="Machine-written texts; repeat.")],
    out: Annotated[
        Path | None,
        typer.Option(
            help=f"Folder (or .json file) for the weights; default: the user data folder, e.g. "
            f"~/.local/share/fakescope/weights/text/fusion.json for SmolLM2, "
            f"fusion-<model>.json for another model. Use it with {WEIGHTS_ENV}=PATH."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help=f"Causal LM (name or path); default ${MODEL_ENV} or embedded SmolLM2."),
    ] = None,
    detectors: Annotated[
        list[str] | None,
        typer.Option(
            "--detector",
            "-d",
            help="Detectors the fused verdict combines (repeat, or a comma list; default: "
            + ",".join(DEFAULT_DETECTORS)
            + ").",
        ),
    ] = None,
    max_tokens: Annotated[
        int, typer.Option(min=41, help="Tokens scored per text (the shipped fit used 256).")
    ] = 256,
    target_fpr: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=0.5,
            help="Share of training human texts allowed above the 'likely synthetic' threshold.",
        ),
    ] = 0.01,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Per-window statistics cache (reused across runs; default: the user cache folder)."
        ),
    ] = None,
    nonnegative: Annotated[
        bool,
        typer.Option(
            "--nonnegative/--free",
            help="Keep fusion weights >= 0 (default; see docs/text.md) or fit them freely.",
        ),
    ] = True,
    ridge_c: Annotated[
        float,
        typer.Option(
            min=1e-6,
            help="Inverse L2 strength of the fusion weights; small = close to each statistic's "
            "own evidence (robust to new generators), large = best mix for the training data.",
        ),
    ] = 0.001,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    overwrite: Annotated[bool, typer.Option(help="Replace weights already at --out.")] = False,
    fusion: Annotated[
        str,
        typer.Option(
            help="How the verdict is fused: 'statistics' (one logistic regression on the nine LM "
            "statistics; the shipped recipe, docs/text.md) or 'detectors' (a logistic fuser over "
            "the --detector scores, shaped by --nonnegative/--free and --ridge-c).",
        ),
    ] = "statistics",
    min_texts: Annotated[
        int,
        typer.Option(
            min=2, help="Fewest usable texts of each class to fit on (fewer are refused)."
        ),
    ] = MIN_TEXTS_PER_CLASS,
    head_layer: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Add a head on this layer's token-mean hidden states to the statistics "
            "regression (read from the same forward pass; docs/text.md).",
        ),
    ] = None,
    head_c: Annotated[
        float, typer.Option(min=1e-6, help="Inverse L2 strength of the hidden-state head.")
    ] = 0.05,
    threshold_by_source: Annotated[
        bool,
        typer.Option(
            help="Set 'likely synthetic' so that no --human file (of >= 20 texts) has more than "
            "--target-fpr of its texts above it, instead of the pooled human texts.",
        ),
    ] = False,
    unigram: Annotated[
        bool,
        typer.Option(
            help="Add the unigram-normalised statistics to the verdict when the model ships a "
            "unigram table (SmolLM2-135M does; docs/text.md).",
        ),
    ] = True,
) -> None:
    """Fit the text detectors' calibration and the fused verdict on labelled texts."""
    import torch
    from rich.table import Table

    from fakescope.core.media import MediaError
    from fakescope.core.registry import parse_detector_names
    from fakescope.core.weights import output_file, refuse_overwrite, user_weights_dir
    from fakescope.text.lm import ModelUnavailable, cache_dir, configured_model, load_model
    from fakescope.text.scoring import TextScorer
    from fakescope.text.training import describe, small_sample_warnings, train

    if fusion not in {"statistics", "detectors"}:
        usage_error(f"--fusion must be 'statistics' or 'detectors', not {fusion!r}")
    shipped_name = shipped_weights_path(model or configured_model()).name
    target = output_file(out or user_weights_dir("text"), shipped_name)
    try:
        refuse_overwrite([target], overwrite)
    except FileExistsError as exc:
        usage_error(str(exc))
    torch.set_num_threads(threads)
    names = tuple(parse_detector_names(detectors) or DEFAULT_DETECTORS)
    if detectors and fusion == "statistics":
        usage_error(
            "--detector chooses what --fusion detectors combines; the default "
            "--fusion statistics reads the nine LM statistics. Add --fusion detectors."
        )
    try:
        lm = load_model(model or configured_model())
    except ModelUnavailable as exc:
        usage_error(str(exc))
    if head_layer is not None and head_layer > lm.model.config.num_hidden_layers:
        usage_error(
            f"--head-layer {head_layer}: the model has {lm.model.config.num_hidden_layers} layers"
        )
    scorer = TextScorer(
        lm,
        max_tokens=max_tokens,
        cache_dir=cache or cache_dir() / "text-stats",
        cache_tokens=0,
        pooled_layers=() if head_layer is None else (head_layer,),
        unigram=unigram_table(lm.name, lm.vocab_size) if unigram else None,
    )
    statistics = None
    if fusion == "statistics":
        statistics = STATISTICS + (UNIGRAM_STATISTICS if scorer.unigram is not None else ())
    with progress_bar(True) as progress:
        task = progress.add_task("scoring texts", total=None)
        try:
            weights, data = train(
                human,
                machine,
                scorer,
                detectors=names,
                target_fpr=target_fpr,
                nonnegative=nonnegative,
                ridge_c=ridge_c,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                min_texts=min_texts,
                statistics=statistics,
                head_c=head_c,
                threshold_by_source=threshold_by_source,
            )
        except (MediaError, ValueError) as exc:
            usage_error(str(exc))
    target = weights.save(target)
    table = Table(
        title=f"training fit, in-sample ({weights.info['n_human']} human, "
        f"{weights.info['n_machine']} machine texts)"
    )
    for col in ("score", "ROC-AUC", "EER", "TPR@1%FPR"):
        table.add_column(col)
    for name, auc, eer, tpr in describe(weights):
        table.add_row(name, f"{auc:.3f}", f"{eer:.3f}", f"{tpr:.3f}")
    err.print(table)
    for warning in small_sample_warnings(weights):
        err.print(f"[yellow]warning:[/yellow] {warning}")
    lo, hi = weights.fuser.thresholds
    err.print(f"verdict thresholds: likely real <= {lo:.3f}, likely synthetic >= {hi:.3f}")
    if data.skipped:
        err.print(f"{len(data.skipped)} texts skipped (short or not English)")
    err.print(f"wrote {target}")
    if Path(target).resolve() != weights_path().resolve():
        err.print(f"use it with: {WEIGHTS_ENV}={target} fakescope scan ...")


def generate_text(
    out: Annotated[Path, typer.Option(help='Output .jsonl (one {"text": ...} record per sample).')],
    prompt: Annotated[list[str] | None, typer.Option(help="A prompt; repeat for several.")] = None,
    prompts: Annotated[
        Path | None,
        typer.Option(
            help="File of prompts: one per line, or .jsonl with 'prompt' or 'text' "
            "(first 30 words used)."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help=f"Causal LM (name or path); default ${MODEL_ENV} or embedded SmolLM2."),
    ] = None,
    max_new_tokens: Annotated[int, typer.Option(min=1, max=4096)] = 200,
    temperature: Annotated[float, typer.Option(min=0.0, help="0 = greedy.")] = 1.0,
    top_p: Annotated[float, typer.Option(min=0.01, max=1.0)] = 1.0,
    chat: Annotated[
        bool, typer.Option(help="Wrap prompts in the model's chat template; keep only the reply.")
    ] = False,
    seed: Annotated[int, typer.Option()] = 0,
    limit: Annotated[int | None, typer.Option(min=1, help="Use at most this many prompts.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
) -> None:
    """Sample machine-written text from the configured language model, to build test sets."""
    import torch

    from fakescope.core.media import MediaError
    from fakescope.text.generation import iter_generate, read_prompts, write_jsonl
    from fakescope.text.lm import ModelUnavailable, configured_model, load_model

    torch.set_num_threads(threads)
    items = list(prompt or [])
    if prompts is not None:
        try:
            items += read_prompts(prompts)
        except MediaError as exc:
            usage_error(str(exc))
    if not items:
        usage_error("give --prompt TEXT or --prompts FILE")
    if limit:
        items = items[:limit]
    if out.exists() and not overwrite:
        usage_error(f"{out} already exists; pass --overwrite to replace it")
    try:
        lm = load_model(model or configured_model())
    except ModelUnavailable as exc:
        usage_error(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    with progress_bar(True) as progress:
        task = progress.add_task("generating", total=len(items))
        samples = iter_generate(
            lm,
            items,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            chat=chat,
            seed=seed,
            progress=lambda k: progress.update(task, completed=k),
        )
        n = write_jsonl(samples, out)
    err.print(f"wrote {n} samples from {lm.name} to {out}")
    if os.environ.get(MODEL_ENV) is None and model is None:
        err.print(
            "note: text from the scoring model itself is the easiest case for the "
            "detectors; use --model to sample from another LM"
        )
