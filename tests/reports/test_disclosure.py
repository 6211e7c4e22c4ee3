"""Disclosure control on plain data: a suppressed count can never be recovered."""

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from harmonia.reports.disclosure import _extended, _lines, protect, protect_column

THRESHOLD = 5


def _published(result):
    m, n = len(result.cells), len(result.cells[0])
    ext = [list(r) + [t] for r, t in zip(result.cells, result.row_totals, strict=True)]
    ext.append(list(result.col_totals) + [result.grand_total])
    return ext, m, n


def _ranges(result):
    """The smallest and largest value each hidden number can take, given every
    published number and the totals (linear programme, non-negative)."""
    ext, m, n = _published(result)
    hidden = [(i, j) for i in range(m + 1) for j in range(n + 1) if ext[i][j] is None]
    if not hidden:
        return {}
    index = {p: k for k, p in enumerate(hidden)}
    a_eq, b_eq = [], []
    for line in _lines(m, n):
        row = np.zeros(len(hidden))
        rhs = 0.0
        for p in line[:-1]:
            if p in index:
                row[index[p]] += 1
            else:
                rhs -= ext[p[0]][p[1]]
        total = line[-1]
        if total in index:
            row[index[total]] -= 1
        else:
            rhs += ext[total[0]][total[1]]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    ranges = {}
    for p, k in index.items():
        c = np.zeros(len(hidden))
        c[k] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        # Unbounded above (status 3) is the best protection of all.
        ranges[p] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return ranges


def _random_table(rng):
    m, n = rng.randint(1, 6), rng.randint(1, 6)
    return [[rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30, 80]) for _ in range(n)] for _ in range(m)]


def test_primary_suppression_hides_counts_below_the_threshold_and_keeps_zeros():
    result = protect([[3, 10, 0], [20, 30, 0], [40, 50, 6]], THRESHOLD)
    assert result.cells[0][0] is None
    assert result.cells[0][2] == 0
    assert all(v is not None for v in result.cells[2])


def test_a_row_never_has_exactly_one_hidden_cell():
    rng = random.Random(7)
    for _ in range(400):
        table = _random_table(rng)
        result = protect(table, THRESHOLD)
        ext, m, n = _published(result)
        for line in _lines(m, n):
            hidden = sum(ext[i][j] is None for i, j in line)
            assert hidden != 1, (table, result)


def test_no_small_count_is_shown():
    rng = random.Random(11)
    for _ in range(400):
        table = _random_table(rng)
        ext, m, n = _published(protect(table, THRESHOLD))
        assert not any(v is not None and 0 < v < THRESHOLD for row in ext for v in row)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_solving_the_published_totals_leaves_every_hidden_cell_a_range(seed):
    rng = random.Random(seed)
    for _ in range(60):
        table = _random_table(rng)
        result = protect(table, THRESHOLD)
        truth = _extended(table)
        for (i, j), (low, high) in _ranges(result).items():
            assert low <= truth[i][j] + 1e-6 and truth[i][j] <= high + 1e-6
            assert high - low >= 1 - 1e-6, (table, result, (i, j), low, high)


def test_subtraction_attack_on_a_column_fails():
    cells, total = protect_column([3, 40, 25], THRESHOLD)
    assert cells[0] is None
    # The total or another cell is hidden too, so 3 = total - 40 - 25 cannot be worked out.
    assert total is None or sum(v is None for v in cells) >= 2


def test_a_table_of_large_counts_is_untouched():
    table = [[10, 20], [30, 40]]
    result = protect(table, THRESHOLD)
    assert result.cells == table and result.grand_total == 100 and result.hidden_count == 0
