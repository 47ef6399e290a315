"""Matrices on Dask (``dask.distributed``): the same searches as in process, with the origins split over workers.

The :class:`geo.matrix.Problem` (the graph's arrays, a few tens of MB) is sent
to every worker once (``scatter(..., broadcast=True)``); the origins are cut
into contiguous parts, a few per worker, each solved by
:func:`geo.matrix.solve_batches` on a worker; the rows come back in the order
of the origins, so the output is the same as in process. Nothing here is
imported unless a command asks for workers or a scheduler (``--workers N``,
``--scheduler ADDRESS``), so Dask is needed only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from geo.errors import OptionError
from geo.matrix import MatrixInput, batches, solve_batches

__all__ = ["PARTS_PER_WORKER", "od_matrix_on_dask"]

PARTS_PER_WORKER = 4
"""Origin parts per worker: enough to balance uneven searches and to report progress, few enough to keep the
per-task overhead (a few ms) small."""


def od_matrix_on_dask(
    job: MatrixInput,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    step: Callable[[int], None] | None = None,
    memory_bytes: int | None = None,
) -> list[dict[str, Any]]:
    """Every pair of ``job`` on a Dask cluster: a local one of ``workers`` processes, or the one at ``scheduler``.

    Raises
    ------
    OptionError
        Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise OptionError(
            "--workers and --scheduler need Dask: pip install 'corridor-mapper[dask]' (dask[distributed])"
        ) from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise OptionError(f"--scheduler {scheduler}: cannot connect ({exc}): is the scheduler running?") from None
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        problem = client.scatter(job.problem, broadcast=True)
        parts = batches(len(job.origins), n_workers * PARTS_PER_WORKER)
        options = {"memory_bytes": memory_bytes} if memory_bytes else {}
        futures = [
            client.submit(
                solve_batches,
                problem,
                job.origins[lo:hi],
                job.destinations,
                origin_ids=job.origin_ids[lo:hi],
                destination_ids=job.destination_ids,
                reasons=job.reasons,
                unreachable=job.unreachable,
                pure=False,
                **options,
            )
            for lo, hi in parts
        ]
        size = {f.key: hi - lo for f, (lo, hi) in zip(futures, parts, strict=True)}
        for done in as_completed(futures):
            if step is not None:
                step(size[done.key])
        rows: list[dict[str, Any]] = []
        for part in client.gather(futures):
            rows += part
        return rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
