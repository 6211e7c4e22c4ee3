"""Statistical disclosure control for published tables. Pure Python: no Django.

**Every release a funder or evaluator can see uses the linked-release rules at
the end of this module** (``hide_small``, ``protect_partition``,
``protect_partitions``, ``protect_counts``, ``protect_separate``; see
docs/reports.md, "Disclosure control across releases"): the hidden cells are
decided once per base cell (a centre's count), never per table, so every page,
grant report and file agrees, and a sum over several centres is published only
when none of its parts is hidden. ``protect`` below (one table on its own, with
its margins) is kept for tables that are not part of that set.

A table is a list of rows of non-negative counts. Its row totals, column totals
and grand total are published alongside it, so a hidden cell must not be
recoverable by subtraction from them.

Rules (documented in docs/reports.md):

* **Primary suppression.** A count from 1 to ``threshold - 1`` is hidden.
  Zeros stay visible: "no child in this group" discloses nothing about a child,
  and hiding zeros would make most small tables unreadable.
* **Secondary suppression.** Every row, column and the two margin lines (the
  totals row and the totals column) is a linear constraint "the cells add up to
  the total". A constraint with exactly one hidden member gives it away, so the
  smallest other visible member is hidden too (a positive inner cell first, then
  a zero, then the total itself). This repeats until nothing changes.
* **Audit.** Lines with two hidden cells can still pin a cell when the hidden
  cells do not form a cycle (a "bridge"). After the line rule, every hidden
  cell is checked by linear algebra (row reduction of the constraints,
  numpy); a cell the published
  numbers determine exactly gets another cell hidden beside it, and the
  procedure repeats to a fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN = None


@dataclass
class Protected:
    """A table after suppression: ``None`` marks a hidden number."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand_total: int | None

    @property
    def hidden_count(self) -> int:
        lines = [*self.cells, self.row_totals, self.col_totals, [self.grand_total]]
        return sum(v is None for line in lines for v in line)


def _lines(m: int, n: int) -> list[list[tuple[int, int]]]:
    """Every constraint as the list of extended-table positions it adds up.

    Positions (i, j) with i == m for the totals row and j == n for the totals
    column; the last position of each line is its total."""
    lines = [[(i, j) for j in range(n)] + [(i, n)] for i in range(m + 1)]
    lines += [[(i, j) for i in range(m)] + [(m, j)] for j in range(n + 1)]
    return lines


def _extended(table: list[list[int]]) -> list[list[int]]:
    m, n = len(table), len(table[0]) if table else 0
    ext = [list(row) + [sum(row)] for row in table]
    ext.append([sum(table[i][j] for i in range(m)) for j in range(n)] + [sum(map(sum, table))])
    return ext


def _pick(ext, hidden: set, line, m: int, n: int) -> tuple[int, int] | None:
    """The visible member of ``line`` to hide next: smallest positive inner cell,
    then a zero inner cell, then a margin."""
    visible = [p for p in line if p not in hidden]
    if not visible:
        return None

    return min(visible, key=lambda p: _rank(ext, p, m, n))


def _rank(ext, p, m: int, n: int) -> tuple:
    """Which visible number to hide first: inner cells before totals, positive
    before zero, smallest first."""
    value = ext[p[0]][p[1]]
    return (p[0] == m or p[1] == n, value == 0, value, p)


def determined_cells(ext: list[list[int]], hidden: set) -> set:
    """Hidden positions whose value the published numbers fix exactly.

    A hidden variable is determined iff its unit vector lies in the row space of
    the constraint matrix (restricted to the hidden variables): in reduced row
    echelon form, a pivot whose row has no free variable. The matrix holds only
    0 and ±1, so floating point with partial pivoting decides it reliably."""
    if not hidden:
        return set()
    m, n = len(ext) - 1, len(ext[0]) - 1
    order = sorted(hidden)
    index = {p: k for k, p in enumerate(order)}
    rows = []
    for line in _lines(m, n):
        coeffs = np.zeros(len(order))
        for p in line[:-1]:
            if p in index:
                coeffs[index[p]] += 1
        if line[-1] in index:
            coeffs[index[line[-1]]] -= 1
        if coeffs.any():
            rows.append(coeffs)
    if not rows:
        return set()
    return _fixed_columns(np.array(rows), order)


def _fixed_columns(matrix, order: list) -> set:
    """Reduced row echelon form by elementwise numpy operations (no LAPACK, so no
    thread start-up on a busy server); a pivot variable whose row has nothing in
    the free columns is fixed."""
    a = matrix.astype(float)
    n_rows, n_cols = a.shape
    pivots: list[int] = []
    r = 0
    for c in range(n_cols):
        if r == n_rows:
            break
        k = r + int(np.argmax(np.abs(a[r:, c])))
        if abs(a[k, c]) < 1e-9:
            continue
        if k != r:
            a[[r, k]] = a[[k, r]]
        a[r] /= a[r, c]
        factors = a[:, c].copy()
        factors[r] = 0.0
        nonzero = np.nonzero(np.abs(factors) > 1e-12)[0]
        if nonzero.size:
            a[nonzero] -= np.multiply.outer(factors[nonzero], a[r])
        pivots.append(c)
        r += 1
    free = np.array([c for c in range(n_cols) if c not in set(pivots)], dtype=int)
    fixed = set()
    for row, c in enumerate(pivots):
        if free.size == 0 or np.abs(a[row, free]).max() < 1e-9:
            fixed.add(order[c])
    return fixed


def protect(table: list[list[int]], threshold: int) -> Protected:
    """Suppress ``table`` (and its margins) so no count from 1 to threshold-1 is
    shown or can be worked out from what is shown."""
    m = len(table)
    n = len(table[0]) if m else 0
    if m == 0 or n == 0:
        return Protected([list(r) for r in table], [0] * m, [0] * n, 0)
    ext = _extended(table)
    hidden = {(i, j) for i in range(m + 1) for j in range(n + 1) if 0 < ext[i][j] < threshold}
    lines = _lines(m, n)
    while True:
        changed = False
        for line in lines:
            count = sum(p in hidden for p in line)
            if count == 1:
                p = _pick(ext, hidden, line, m, n)
                if p is not None:
                    hidden.add(p)
                    changed = True
        if changed:
            continue
        fixed = determined_cells(ext, hidden)
        if not fixed:
            break
        # Hide one more cell next to each determined one: a visible member of one of
        # its lines, which opens a cycle through it; then check again.
        added = False
        for target in sorted(fixed):
            candidates = [p for line in lines if target in line for p in line if p not in hidden]
            if candidates:
                hidden.add(min(candidates, key=lambda p: _rank(ext, p, m, n)))
                added = True
        if not added:  # everything around them is hidden already
            break

    def shown(i, j):
        return None if (i, j) in hidden else ext[i][j]

    return Protected(
        cells=[[shown(i, j) for j in range(n)] for i in range(m)],
        row_totals=[shown(i, n) for i in range(m)],
        col_totals=[shown(m, j) for j in range(n)],
        grand_total=shown(m, n),
    )


def protect_column(values: list[int], threshold: int) -> tuple[list[int | None], int | None]:
    """A single column of counts with its total (e.g. children by ethnicity)."""
    result = protect([[v] for v in values], threshold)
    return [row[0] for row in result.cells], result.grand_total


def share(part: int | None, whole: int | None) -> float | None:
    """A percentage, or None when either number is hidden or the whole is zero."""
    if part is None or whole is None or whole == 0:
        return None
    return 100.0 * part / whole


def share_rounded(part: int | None, whole: int | None) -> float | None:
    value = share(part, whole)
    return None if value is None else round(value, 1)


# --- Linked releases: one protected base for every table ---------------------
#
# A base cell is one centre's count of one thing (children reached this year,
# active children in year group 4, …). Releases publish base cells and sums of
# base cells over a set of centres (a centre, a grant's recipients, the
# programme). The pattern of hidden cells depends only on the base cells, so
# every release of the same cell agrees, and a sum is shown only when none of
# its base cells is hidden: a published sum then never involves a hidden cell,
# and differencing two releases (programme − grant, grant − centre) yields only
# sums of shown cells. What remains is the centre's own partitions (its active
# children split by sex, by year group, …, which add up to a shown total);
# ``protect_partition`` hides enough of each partition that every hidden cell can
# still be anything from 0 to at least the threshold.


def hide_small(value: int, threshold: int) -> bool:
    """Primary suppression: a count from 1 to threshold − 1."""
    return 0 < value < threshold


def protect_partition(cells: dict, threshold: int, unpublished: frozenset | set = frozenset()):
    """Which cells of one centre's partition to hide.

    ``cells`` maps category → count and the counts add up to the centre's total
    (shown unless it is small itself: then every cell is hidden). ``unpublished``
    categories are never shown (e.g. "no partner school") but are part of the sum.
    If any count is small, hidden cells are added, smallest first, until at least
    two are hidden and the hidden ones add up to at least ``threshold``: each
    hidden cell can then be anything from 0 to that sum (the others being 0), so
    its range is at least ``threshold`` wide whatever else is published."""
    total = sum(cells.values())
    if hide_small(total, threshold):
        return set(cells)
    hidden = {k for k, v in cells.items() if hide_small(v, threshold)}
    if not hidden:
        return set()
    hidden |= set(unpublished) & set(cells)

    def enough():
        return len(hidden) >= 2 and sum(cells[k] for k in hidden) >= threshold

    for key in sorted((k for k in cells if k not in hidden), key=lambda k: (cells[k], str(k))):
        if enough():
            break
        if len(hidden) >= 2 and cells[key] == 0:
            continue  # a zero adds nothing to the hidden sum
        hidden.add(key)
    return hidden


def sum_shown(values) -> int | None:
    """A sum of published base cells: hidden (None) if any of them is hidden."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


@dataclass
class Linked:
    """A centres × columns table of base cells after suppression (``None`` hidden).

    ``row_totals`` are each centre's total (for a partition: the sum of its
    cells; hidden when small); ``col_totals`` and ``grand_total`` are sums over
    every centre, hidden when any part is. ``over(rows)`` sums a set of centres
    (a grant's recipients) by the same rule."""

    cells: list[list[int | None]]
    row_totals: list[int | None]

    @property
    def col_totals(self) -> list[int | None]:
        n = len(self.cells[0]) if self.cells else 0
        return [sum_shown(row[j] for row in self.cells) for j in range(n)]

    @property
    def grand_total(self) -> int | None:
        return sum_shown(self.row_totals)

    def over(self, rows) -> tuple[list[int | None], int | None]:
        rows = list(rows)
        n = len(self.cells[0]) if self.cells else 0
        return (
            [sum_shown(self.cells[i][j] for i in rows) for j in range(n)],
            sum_shown(self.row_totals[i] for i in rows),
        )


def protect_partitions(
    table: list[list[int]], threshold: int, unpublished: frozenset | set = frozenset()
) -> Linked:
    """Each row is one centre's partition of its total (``protect_partition``)."""
    cells, totals = [], []
    for row in table:
        hidden = protect_partition(dict(enumerate(row)), threshold, unpublished)
        cells.append([None if j in hidden else v for j, v in enumerate(row)])
        total = sum(row)
        totals.append(None if hide_small(total, threshold) else total)
    return Linked(cells, totals)


def protect_counts(table: list[list[int]], threshold: int) -> Linked:
    """Cells that are separate counts (children reached each year, in each
    activity): each hidden when small; a row has no published total."""
    cells = [[None if hide_small(v, threshold) else v for v in row] for row in table]
    return Linked(cells, [sum_shown(row) for row in cells])


def protect_separate(values: list[int], threshold: int) -> tuple[list[int | None], int | None]:
    """One count per centre and their sum, by the linked rule: small counts
    hidden, the sum hidden when any part is."""
    shown = [None if hide_small(v, threshold) else v for v in values]
    return shown, sum_shown(shown)
