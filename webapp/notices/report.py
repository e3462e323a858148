"""The completeness report in the wizard: each finding worded, with the step where it is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from tenants.notices.check import Item, Report
from tenants.notices.proposals import STEP_OF_SECTION

from ..findings import field_paths, message
from .steps import (
    BY_KEY,
    CONTROLLER_CONFIRMATION_ANCHOR,
    FIELD_OF_ITEM,
    KEYS,
    STEP_OF_ITEM,
    STEP_OF_PATH,
    field_anchor,
)


@dataclass
class Line:
    """One report line for a template."""

    item: Item
    message: str
    step: str | None
    anchor: str | None = None  # the id of the field (or box) on that step where it is fixed


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
    """Word one item and find the step and the field that fix it."""
    section = item.params.get("section", "") if item.code == "proposal_unconfirmed" else ""
    step = STEP_OF_ITEM.get(item.key) or STEP_OF_SECTION.get(section)
    paths = field_paths(item)
    anchor = None
    if section in STEP_OF_SECTION:
        anchor = f"proposal-{section}"
    elif item.key == "controller_confirmation":
        anchor = CONTROLLER_CONFIRMATION_ANCHOR
    elif item.key in FIELD_OF_ITEM:
        anchor = field_anchor(step, FIELD_OF_ITEM[item.key])
    elif paths:
        step = step or STEP_OF_PATH.get(paths[0].split(".")[0])
        anchor = field_anchor(step, paths[0]) if step else None
    return Line(item, message(item, step_titles), step, anchor)


def _in_step_order(found: list[Line]) -> list[Line]:
    return sorted(found, key=lambda x: KEYS.index(x.step) if x.step in KEYS else len(KEYS))


def lines(report: Report) -> dict[str, list[Line]]:
    """The report grouped: blocking, advisory (each in the wizard's step order), present."""
    return {
        "blocking": _in_step_order([line(i) for i in report.blocking]),
        "advisory": _in_step_order([line(i) for i in report.advisory]),
        "present": [line(i) for i in report.items if i.status == "present"],
    }


def step_states(report: Report) -> dict[str, str]:
    """Each step's state for the step list: "answer" (something to answer or fix there),
    "confirm" (only proposals to confirm), or "done"."""
    states = dict.fromkeys(KEYS[:-1], "done")
    for item in report.blocking:
        step = line(item).step
        if step not in states:
            continue
        if item.code == "proposal_unconfirmed":
            states[step] = "answer" if states[step] == "answer" else "confirm"
        else:
            states[step] = "answer"
    return states
