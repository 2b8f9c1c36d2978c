"""Progress of long commands (the demo load, backup and restore), stage by stage with counts: they must not look hung.

Seeders take a ``Stage``: ``start(total)`` once the count is known, ``advance(n)`` as items are done. The command
line shows a bar per stage; tests and library callers pass nothing and nothing is printed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Stage(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class Reporter(Protocol):
    """What long commands report to: one ``Stage`` per labelled step."""

    def stage(self, label: str) -> AbstractContextManager[Stage]: ...


class Silent:
    """A stage (and a reporter) that shows nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    @contextmanager
    def stage(self, label: str) -> Iterator[Stage]:
        yield self


class _Bar:
    def __init__(self, progress, task) -> None:  # type: ignore[no-untyped-def]
        self.progress, self.task = progress, task

    def start(self, total: int) -> None:
        self.progress.update(self.task, total=max(1, total), completed=0)

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)


class Bars:
    """One bar per stage on the terminal (stderr): label, bar, done/total, elapsed."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(bar_width=36),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )

    def __enter__(self) -> Bars:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    @contextmanager
    def stage(self, label: str) -> Iterator[Stage]:
        task = self.progress.add_task(label, total=None)
        bar = _Bar(self.progress, task)
        yield bar
        total = self.progress.tasks[task].total
        self.progress.update(task, completed=total if total else 1, total=total or 1)


SILENT = Silent()
