"""The completeness report in the wizard: each finding worded, with the step where it is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from tenants.notices.check import Item, Report

from ..findings import field_paths, message
from .steps import BY_KEY, STEP_OF_ITEM, STEP_OF_PATH


@dataclass
class Line:
    """One report line for a template."""

    item: Item
    message: str
    step: str | None


def step_titles(paths) -> str:
    """The wizard steps where the paths are edited, each once."""
    titles: list[str] = []
    for path in paths:
        step = STEP_OF_PATH.get(path.split(".")[0])
        title = str(BY_KEY[step].title) if step else path
        if title not in titles:
            titles.append(title)
    return ", ".join(titles)


def line(item: Item) -> Line:
    """Word one item and find the step that fixes it."""
    step = STEP_OF_ITEM.get(item.key)
    paths = field_paths(item)
    if step is None and paths:
        step = STEP_OF_PATH.get(paths[0].split(".")[0])
    return Line(item, message(item, step_titles), step)


def lines(report: Report) -> dict[str, list[Line]]:
    """The report grouped: blocking, advisory, present."""
    return {
        "blocking": [line(i) for i in report.blocking],
        "advisory": [line(i) for i in report.advisory],
        "present": [line(i) for i in report.items if i.status == "present"],
    }
