"""The intake on a dask cluster: ``xteval check PATH... --out DIR --executor dask [--scheduler ADDRESS]``.

Documents are addressed as the batch addresses its jobs: by their path, which every worker must be able to
read (a shared folder, or the one machine of a ``LocalCluster``). A worker reads and checks a document with
the same :func:`~xteval.intake.worker.read_one` the local pool runs and sends back its pages and figures;
only this process writes the output folder and the store, so a killed intake keeps what it stored, as the
local one does. A few documents per worker are in flight at a time: memory stays flat with the year.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

IN_FLIGHT = 4  # documents submitted per worker before the first comes back


def read_on_dask(items: Sequence[tuple[int, str, str]], jobs: int, scheduler: str | None) -> Iterator[tuple[int, dict]]:
    """(index, result) of each (index, path, page stem) as the cluster finishes them.

    Args:
        items: the documents to read: their index in the intake, their path, their page's file stem.
        jobs: workers of the local cluster (a scheduler's cluster has its own).
        scheduler: ``tcp://host:port`` of a running scheduler; None starts a ``LocalCluster`` here.
    """
    from ..runner.executors import dask_client
    from .worker import read_one

    with dask_client(jobs, scheduler) as client:
        from distributed import as_completed

        waiting = iter(items)
        index_of = {}

        def submit(item: tuple[int, str, str]):
            future = client.submit(read_one, item[1], item[2], pure=False)
            index_of[future.key] = item[0]
            return future

        finished = as_completed([submit(item) for item in itertools.islice(waiting, max(1, jobs) * IN_FLIGHT)])
        for future in finished:
            result = future.result()
            i = index_of.pop(future.key)
            future.release()
            for item in itertools.islice(waiting, 1):
                finished.add(submit(item))
            yield i, result
