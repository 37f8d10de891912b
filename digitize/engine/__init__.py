"""The engine: one book through a pipeline.

`run` carries a book through its phases (ingest, pages, book stages, export, report, publish);
`pages` is the parent side of the page stages (cache look-ups, scheduling, error policy) and
`worker` the side that runs in worker processes; `executors` (and `dask_executor`) are where
page chains run; `cache` and `finished` make reruns free; `export` and `outputs` write and
publish a book's files; `metadata` reads what the user says about the book; `events` is what a
run tells its caller. Only the engine starts processes, owns page images and records steps.
"""
