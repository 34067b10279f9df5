"""Bets as spreadsheet rows: each row one path from the top level down, one column per level.

    goal,outcome,opportunity,initiative,team,certainty
    Self-serve onboarding,Setup in a day,Payroll setup is confusing,Setup wizard,onboarding,80%

A header names the levels (bet kinds, or what teams call them: objective, key result, solution)
from the top down, plus optional columns for the fields of the row's last bet. Cells repeat
their ancestors' titles; a blank level cell skips that level, so a row may stop early (then it
is about an inner bet) or start lower (a root further down). Ids come from titles unless an
`id` column gives them (see `tree.TreeBuilder` for when two rows name the same bet).

The format carries the tree, ids and the fields above; not assumptions, metrics or the graph's
header (slug and title come from the file name or the caller).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Sequence

from app.domain import model as m
from app.formats.problems import DocumentError, Problem
from app.formats.source import Position, SourceMap
from app.formats.tree import (
    ASSUMPTION,
    BET_FIELDS,
    LABELS,
    Node,
    TreeBuilder,
    bet_fields,
    field_name,
    field_value,
    graph_header,
    ids_to_write,
    label_key,
    primary_tree,
    slugify,
)
from app.formats.writing import header_to_data
from app.words import plural

_RANK = {kind.value: rank for rank, kind in enumerate(m.Kind)}
_DELIMITERS = ",;\t"


def _delimiter(header: str) -> str:
    # Spreadsheets in locales with a decimal comma write semicolons; tab-separated text is what
    # copying cells out of a spreadsheet gives. Level names hold none of them, so the header line
    # tells them apart: whichever it has most of.
    counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on; a broken quote is a problem on its line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise DocumentError([Problem(f"CSV syntax error: {error}", (), Position(start, 1))]) from None
        records.append((start, row))


_FIELD_COLUMNS = ("id", *BET_FIELDS)


def _header(line: int, cells: list[str], builder: TreeBuilder) -> tuple[list[tuple[int, m.Kind]], dict[int, str]]:
    levels: list[tuple[int, m.Kind]] = []
    fields: dict[int, str] = {}
    for column, cell in enumerate(cells):
        place = Position(line, column + 1)
        label = LABELS.get(label_key(cell))
        name = field_name(cell)
        if label is not None and label != ASSUMPTION:
            levels.append((column, m.Kind(label)))
        elif name in _FIELD_COLUMNS:
            if name in fields.values():
                builder.problem(f"column {name!r} appears twice", place)
            fields[column] = name
        elif not cell.strip():
            builder.problem("this column has no name", place)
        else:
            known = [kind.value for kind in m.Kind] + list(_FIELD_COLUMNS)
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            builder.problem(
                f"unknown column {cell.strip()!r}{hint}: a column names a level ({', '.join(k.value for k in m.Kind)}) "
                f"or a field of the row's bet ({', '.join(_FIELD_COLUMNS)})",
                place,
            )
    if not levels and not builder.problems:
        builder.problem(
            "the header names no level: it needs columns such as goal,outcome,initiative", Position(line, 1)
        )
    return levels, fields


def read_csv(
    text: str, name: str = "", *, slug: str | None = None, title: str | None = None
) -> tuple[m.Graph, SourceMap]:
    """Read path rows into a graph, or raise `DocumentError` with each problem's line and field number.

    `name` is the file's name, which gives the graph's slug and title unless they are passed.
    """
    records = [(line, row) for line, row in _records(text.removeprefix("\ufeff")) if any(c.strip() for c in row)]
    builder = TreeBuilder()
    if not records:
        builder.problem("no header row: the first line names the levels, such as goal,outcome,initiative", None)
        raise DocumentError(builder.problems)
    (header_line, header), *rows = records
    levels, fields = _header(header_line, header, builder)
    if builder.problems:
        raise DocumentError(builder.problems)
    for line, cells in rows:
        _row(builder, line, cells, width=len(header), levels=levels, fields=fields)
    return builder.graph(graph_header(name, slug, title))


def _row(
    builder: TreeBuilder,
    line: int,
    cells: list[str],
    *,
    width: int,
    levels: list[tuple[int, m.Kind]],
    fields: dict[int, str],
) -> None:
    for column in range(width, len(cells)):
        if cells[column].strip():
            builder.problem(f"this row has more cells than the header's {width} columns", Position(line, column + 1))
            return
    named = [(column, kind) for column, kind in levels if column < len(cells) and cells[column].strip()]
    if not named:
        builder.problem("this row names no bet: every level cell is blank", Position(line, 1))
        return
    id_column = next((column for column, field in fields.items() if field == "id"), None)
    explicit = cells[id_column].strip() if id_column is not None and id_column < len(cells) else ""
    node: Node | None = None
    for number, (column, kind) in enumerate(named):
        place = Position(line, column + 1)
        if number == len(named) - 1 and explicit:
            assert id_column is not None
            node = builder.bet(
                node, kind, cells[column], place, explicit_id=explicit, id_place=Position(line, id_column + 1)
            )
        else:
            node = builder.bet(node, kind, cells[column], place)
    assert node is not None
    for column, field in fields.items():
        if field != "id" and column < len(cells) and cells[column].strip():
            builder.set_field(node, field, field_value(field, cells[column]), Position(line, column + 1))


# --- writing ------------------------------------------------------------------------------------


def _merge(first: Sequence[str], second: Sequence[str]) -> list[str]:
    """A shortest sequence holding both in order; ties put the higher level first."""
    rows, cols = len(first), len(second)
    common = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            common[i][j] = (
                common[i + 1][j + 1] + 1 if first[i] == second[j] else max(common[i + 1][j], common[i][j + 1])
            )
    merged: list[str] = []
    i = j = 0
    while i < rows and j < cols:
        if first[i] == second[j]:
            merged.append(first[i])
            i, j = i + 1, j + 1
        elif (common[i + 1][j], -_RANK[first[i]]) > (common[i][j + 1], -_RANK[second[j]]):
            merged.append(first[i])
            i += 1
        else:
            merged.append(second[j])
            j += 1
    return [*merged, *first[i:], *second[j:]]


def _place(columns: Sequence[str], kinds: Sequence[str]) -> list[int]:
    placed: list[int] = []
    column = 0
    for kind in kinds:
        while columns[column] != kind:
            column += 1
        placed.append(column)
        column += 1
    return placed


def write_csv(graph: m.Graph) -> str:
    """One row per leaf of the primary tree, plus one for each inner bet with fields of its own or an
    id that titles would not give, plus one per secondary parent; `read_csv` gives the tree back.

    Ancestors are found by title, so one case does not come back: when a second parent, or a bet
    above it, shares its parent, kind and title with a later sibling, the row of that link names
    the sibling instead.
    """
    order = primary_tree(graph)
    path_of: dict[str, tuple[m.Bet, ...]] = {}
    for bet, _ in order:
        parents = graph.parents[bet.id]
        path_of[bet.id] = (*path_of[parents[0]], bet) if parents and parents[0] in path_of else (bet,)
    explicit = ids_to_write([(bet.id, slugify(bet.title, bet.kind.value)) for bet, _ in order])
    # Titles find ancestors, so two siblings of one kind and title need their ids to stay apart;
    # and a bet under a second parent is found by its id.
    seen: dict[tuple[str, str, str], str] = {}
    for bet, _ in order:
        key = (graph.parents[bet.id][0] if graph.parents[bet.id] else "", bet.kind.value, bet.title)
        if key in seen:
            explicit |= {seen[key], bet.id}
        seen.setdefault(key, bet.id)
        if len(graph.parents[bet.id]) > 1:
            explicit.add(bet.id)
    has_children = {graph.parents[bet.id][0] for bet in graph.bets if graph.parents[bet.id]}
    fields = {bet.id: bet_fields(bet) for bet, _ in order}
    paths = [path_of[bet.id] for bet, _ in order if bet.id not in has_children or fields[bet.id] or bet.id in explicit]
    paths += [(*path_of[parent], bet) for bet, _ in order for parent in graph.parents[bet.id][1:] if parent in path_of]
    columns: list[str] = []
    for kinds in dict.fromkeys(tuple(bet.kind.value for bet in path) for path in paths):
        columns = _merge(columns, kinds)
    used = [name for name in BET_FIELDS if any(name in found for found in fields.values())]
    extra = (["id"] if explicit else []) + used
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*columns, *extra])
    primary_rows = len(paths) - sum(len(graph.parents[bet.id][1:]) for bet, _ in order)
    for number, path in enumerate(paths):
        cells = [""] * len(columns)
        for column, bet in zip(_place(columns, [bet.kind.value for bet in path]), path, strict=True):
            cells[column] = bet.title
        leaf = path[-1]
        own = fields[leaf.id] if number < primary_rows else {}
        if explicit:
            cells.append(leaf.id if leaf.id in explicit else "")
        cells += [own.get(name, "") for name in used]
        writer.writerow(cells)
    return out.getvalue()


def left_out(graph: m.Graph) -> list[str]:
    """What of `graph` a sheet cannot hold, in words, so that a conversion can say so."""
    lost: list[str] = []
    if graph.assumptions:
        lost.append(plural(len(graph.assumptions), "assumption"))
    metrics = sum(1 for bet in graph.bets if bet.metric is not None)
    if metrics:
        lost.append(plural(metrics, "metric"))
    resolved = sum(1 for bet in graph.bets if bet.resolution is not None)  # an assumption's goes with it
    if resolved:
        lost.append(plural(resolved, "resolution"))
    header = [name for name in ("description", "as_of", "visibility", "lint") if name in header_to_data(graph)]
    if header:
        lost.append(f"the graph's {', '.join(header)}")
    return lost
