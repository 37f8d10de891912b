"""`digitize eval`: accuracy on the evaluation corpus against plain Tesseract."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from digitize import pipeline as pipelines
from digitize.cli._common import err, errors_to_exit_codes, load_pipeline, out

commands = typer.Typer()


@commands.command("eval")
def eval_cmd(
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Synthetic corpus dir (generated when missing).")
    ] = Path(".eval/corpus"),
    work: Annotated[
        Path, typer.Option("--work", help="Outputs, baseline cache, results.json.")
    ] = Path(".eval"),
    pipeline: Annotated[str, typer.Option("--pipeline", "-p")] = "textbook",
    sets: Annotated[list[str] | None, typer.Option("--set", help="STAGE.OPTION=VALUE")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1)] = os.cpu_count() or 1,
    pages: Annotated[
        int | None, typer.Option("--pages", min=1, help="Pages per synthetic book (default 10).")
    ] = None,
    real: Annotated[
        bool, typer.Option("--real/--no-real", help="Score ../shared/realscans too.")
    ] = True,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline")] = True,
    evalbooks: Annotated[
        bool,
        typer.Option("--evalbooks/--no-evalbooks", help="Score ../shared/evalbooks too (EPUB)."),
    ] = True,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write results here.")
    ] = None,
    recall_only: Annotated[
        bool,
        typer.Option(
            "--recall-only",
            help="Only the per-page word recall, ours vs plain Tesseract, on the real scans and "
            "../shared/evalbooks: no synthetic corpus, no evalbooks score table (much faster).",
        ),
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Also score this pipeline; 'nopre' = the same pipeline without preprocess stages.",
        ),
    ] = None,
) -> None:
    """Score the pipeline on the evaluation corpus against plain Tesseract (prints tables)."""
    from digitize.lab.evaluation.run import run_eval, without_preprocess
    from digitize.lab.evaluation.table import (
        compare_table,
        real_table,
        recall_table,
        synthetic_table,
    )
    from digitize.lab.synth.corpus import make_corpus

    with errors_to_exit_codes():
        pipe = pipelines.with_exporters(load_pipeline(pipeline, sets, None), ["txt"])
        other = None
        if compare == "nopre":
            other = without_preprocess(pipe)
        elif compare:
            other = pipelines.with_exporters(load_pipeline(compare, None, None), ["txt"])
        if recall_only:
            _print_recall(pipe, work, jobs, json_out)
            return
        if not list(corpus.glob("*/truth.json")):
            err.print(f"generating the synthetic corpus in {corpus} ...")
            make_corpus(corpus, None, jobs, **({"pages": pages} if pages else {}))
        res = run_eval(
            corpus,
            pipe,
            work,
            jobs=jobs,
            real=real,
            baseline=baseline,
            on_item=lambda name: err.print(f"  {name}", highlight=False),
            compare=other,
        )
        out.print(synthetic_table(res))
        out.print(synthetic_table(res, "level"))
        out.print(synthetic_table(res, "lang"))
        label = None if other is None else ("no preprocess" if compare == "nopre" else other.name)
        if label:
            out.print(compare_table(res, label, "level"))
            out.print(compare_table(res, label, "lang"))
        if res.real:
            out.print(real_table(res, label))
        if res.real or res.evalbook_pages:
            out.print(recall_table(res))
        if evalbooks:
            _print_evalbooks(pipe, work, jobs)
        if json_out:
            json_out.write_text(json.dumps(res.to_json(), indent=1, default=str), encoding="utf-8")
        out.print(f"results: {work / 'results.json'}", highlight=False)


def _print_evalbooks(pipe: pipelines.Pipeline, work: Path, jobs: int) -> None:
    """Books another generator made, scored by their own score.py; a notice when absent."""
    from digitize.lab.evaluation.evalbooks import evalbook_pdfs, evalbooks_table, run_evalbooks

    if not evalbook_pdfs():
        err.print("evalbooks: ../shared/evalbooks is absent; skipped", highlight=False)
        return
    rows = run_evalbooks(pipe, work, jobs, on_item=lambda n: err.print(f"  {n}", highlight=False))
    out.print(evalbooks_table(rows))


def _print_recall(pipe: pipelines.Pipeline, work: Path, jobs: int, json_out: Path | None) -> None:
    """`--recall-only`: every real scan and evaluation-book page, ours vs plain Tesseract (its
    text cached under `work`), and nothing else: the quick check that no page loses a line."""
    from digitize.lab.evaluation.run import run_eval
    from digitize.lab.evaluation.table import recall_table

    res = run_eval(
        work / "no-corpus",  # no synthetic books: the recall rows are real and evalbook pages
        pipe,
        work,
        jobs=jobs,
        on_item=lambda name: err.print(f"  {name}", highlight=False),
    )
    out.print(recall_table(res))
    if json_out:
        json_out.write_text(json.dumps(res.to_json(), indent=1, default=str), encoding="utf-8")
    out.print(f"results: {work / 'results.json'}", highlight=False)
