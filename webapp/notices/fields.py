"""Field specifications for wizard steps, and turning a submitted form into draft data.

Form names mirror paths in the draft: `controller.name`, `register_name.fi`,
`purposes.0.description.sv`, `data_categories.2.fi`. Lists carry a hidden
`<path>.count`; empty rows are dropped on save.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from tenants.notices.richtext import clean_plain, from_editable, to_editable
from tenants.validation import has_control_characters

PER_LANGUAGE = {"text", "rich"}


@dataclass
class F:
    """One field of a step."""

    path: str
    kind: str  # line, email, text, rich, bool, tristate, choice, multi, list, group
    label: object
    help: object = None
    example: object = None
    options: Callable[[], list[tuple[str, object]]] | None = None
    fields: list[F] = field(default_factory=list)
    item_label: object = None
    fixed: bool = False  # a group whose rows the app decides (no add or remove)
    required: bool = False
    # When the question is asked, from the draft's answers elsewhere; a field not asked is neither shown
    # nor read (what it holds is kept), and `not_asked` says why in its place.
    asked_when: Callable[[dict], bool] | None = None
    not_asked: object = None
    # Applies only after an answer: (name of the deciding field, relative to the row in a group; the
    # value that makes this field apply). Hidden until then in the browser, never cleared.
    show_when: tuple[str, str] | None = None


def asked(spec: F, data: dict) -> bool:
    """Whether the field is asked, given the draft's other answers."""
    return spec.asked_when is None or spec.asked_when(data)


def get(data: dict, path: str, default=None):
    """The value at a dotted path ('' when any part is missing)."""
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                return default
        elif isinstance(node, dict):
            if part not in node:
                return default
            node = node[part]
        else:
            return default
    return node


def put(data: dict, path: str, value) -> None:
    """Set the value at a dotted path, creating dicts on the way."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _count(form, name: str) -> int:
    try:
        return max(0, min(int(form.get(f"{name}.count", "0")), 100))
    except ValueError:
        return 0


LINE_MAX = 300
TEXT_MAX = 2000


def _plain(form, name: str, limit: int, errors: dict) -> str:
    """A one-line value; one over `limit` is an error and comes back whole, so nothing typed is lost."""
    value = clean_plain(form.get(name, ""), 100_000)
    if len(value) > limit:
        errors[name] = _l("This is too long: at most %(n)s characters.", n=limit)
    return value


def _line(spec: F, form, name: str, languages: list[str], errors: dict):
    return _plain(form, name, LINE_MAX, errors)


def _email(spec: F, form, name: str, languages: list[str], errors: dict):
    raw = form.get(name, "").strip()[:254]
    if raw:
        try:
            return validate_email(raw, check_deliverability=False).normalized
        except EmailNotValidError:
            errors[name] = _l("Enter an email address such as name@example.fi.")
    return raw


def _text(spec: F, form, name: str, languages: list[str], errors: dict):
    return {
        lang: _plain(form, f"{name}.{lang}", TEXT_MAX, errors)
        for lang in languages
        if form.get(f"{name}.{lang}", "").strip()
    }


def _rich(spec: F, form, name: str, languages: list[str], errors: dict):
    out = {}
    for lang in languages:
        raw = form.get(f"{name}.{lang}", "")
        if len(raw) > 20_000:
            errors[f"{name}.{lang}"] = _l("This text is too long (at most 20,000 characters).")
        html = from_editable(raw)
        if html:
            out[lang] = html
    return out


def _bool(spec: F, form, name: str, languages: list[str], errors: dict):
    return form.get(name) in ("y", "on", "true", "1")


def _tristate(spec: F, form, name: str, languages: list[str], errors: dict):
    return {"yes": True, "no": False}.get(form.get(name, ""), None)


def _choice(spec: F, form, name: str, languages: list[str], errors: dict):
    value = form.get(name, "")
    allowed = {v for v, _ in spec.options()}
    if value and value not in allowed:
        errors[name] = _l("Choose one of the offered options.")
    if value == "" or value not in allowed:
        return None
    return int(value) if value.isdigit() else value


def _multi(spec: F, form, name: str, languages: list[str], errors: dict):
    chosen = set(form.getlist(name))
    return [v for v, _ in spec.options() if v in chosen]


def _list(spec: F, form, name: str, languages: list[str], errors: dict):
    """(index on the page, item) for each row with text; empty rows are dropped."""
    items = []
    for i in range(_count(form, name)):
        item = _text(spec, form, f"{name}.{i}", languages, errors)
        if item:
            items.append((i, item))
    return items


def _group(spec: F, form, name: str, languages: list[str], errors: dict):
    """(index on the page, row) for each row with something in it (every row of a fixed group)."""
    rows = []
    for i in range(_count(form, name)):
        row = {
            sub.path: _value(sub, form, f"{name}.{i}.{sub.path}", languages, errors) for sub in spec.fields
        }
        if spec.fixed:
            row["key"] = form.get(f"{name}.{i}.key", "")
        if spec.fixed or any(v not in (None, "", {}, [], False) for v in row.values()):
            rows.append((i, row))
    return rows


# field kind -> how its value is read from the submitted form
READERS = {
    "line": _line,
    "email": _email,
    "text": _text,
    "rich": _rich,
    "bool": _bool,
    "tristate": _tristate,
    "choice": _choice,
    "multi": _multi,
    "list": _list,
    "group": _group,
}


def _value(spec: F, form, name: str, languages: list[str], errors: dict):
    """Read one field from the form under `name` (problems go to `errors` by field name)."""
    reader = READERS.get(spec.kind)
    if reader is None:
        raise ValueError(f"unknown field kind {spec.kind}")
    return reader(spec, form, name, languages, errors)


def _keep_other_languages(old: dict | None, new: dict, languages: list[str]) -> dict:
    """Texts in languages the notice does not show now are kept (nothing typed is thrown away)."""
    return {**{k: v for k, v in (old or {}).items() if k not in languages}, **new}


def parse(
    fields: list[F], form, draft: dict, languages: list[str], *, remove: tuple[str, int] | None = None
) -> tuple[dict, dict]:
    """A copy of `draft` with the step's fields read from the form, and the errors by field name.

    `remove` names a row to drop: (list path, row index as shown in the form).
    """
    data = copy.deepcopy(draft)
    errors: dict = {}
    for name, value in form.items(multi=True):
        if isinstance(value, str) and has_control_characters(value):
            errors[name] = _l(
                "This field has invisible control characters (such as a NUL byte) that cannot be "
                "saved. Type or paste the text again."
            )
    for spec in fields:
        if spec.path.startswith("notice."):
            continue  # notice settings, handled by the view
        if not asked(spec, draft):
            continue  # not shown, so not in the form: the stored answer stays
        found: dict = {}
        new = _value(spec, form, spec.path, languages, found)
        old = get(data, spec.path)
        if spec.kind in PER_LANGUAGE:
            new = _keep_other_languages(old, new, languages)
        elif spec.kind in ("list", "group"):
            old_rows = old or []
            rows, shown_at = [], {}
            for index, row in new:
                if remove == (spec.path, index):
                    continue
                if spec.fixed:
                    match = next((r for r in old_rows if r.get("key") == row.get("key")), None)
                    if match is None:
                        continue  # the app decides these rows; an unknown key is ignored
                else:
                    match = old_rows[index] if index < len(old_rows) else {}
                shown_at[index] = len(rows)
                rows.append(_merge_row(match, row, spec, languages))
            new = rows
            found = _renumber(found, spec.path, shown_at)
        errors = {**found, **errors}
        put(data, spec.path, new)
    return data, errors


def _renumber(errors: dict, path: str, shown_at: dict[int, int]) -> dict:
    """Errors of rows under their index on the page shown again; a removed row's errors go with it."""
    out = {}
    for name, message in errors.items():
        index, _sep, rest = name[len(path) + 1 :].partition(".")
        if name.startswith(path + ".") and index.isdigit():
            if int(index) not in shown_at:
                continue
            name = f"{path}.{shown_at[int(index)]}.{rest}"
        out[name] = message
    return out


def _merge_row(match, row, spec, languages):
    if spec.kind == "list":
        return _keep_other_languages(match, row, languages)
    merged = {**match, **row}
    for sub in spec.fields:
        if sub.kind in PER_LANGUAGE:
            merged[sub.path] = _keep_other_languages(match.get(sub.path), row[sub.path], languages)
    return merged


def edit_value(spec: F, value, lang: str | None = None) -> str:
    """What to show in an input for a stored value."""
    if spec.kind == "rich":
        return to_editable((value or {}).get(lang, ""))
    if spec.kind == "text":
        return (value or {}).get(lang, "")
    return "" if value is None else str(value)
