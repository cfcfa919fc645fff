"""Agreement between two readers who graded the same (profile, notice) pairs 0, 1 or 2.

Used to check a labelled set with a second, independent reader
(`benchmarks/real_match/second_reader.py`): a confusion matrix, exact agreement, Cohen's
kappa (unweighted, and linearly weighted, since 2-vs-0 is a worse disagreement than 2-vs-1),
and agreement on the binary cuts the figures use ("relevant (2) vs not", "1-2 vs 0").

Pairs may carry a weight: the second reader's sample is stratified by the first reader's
grade, so weighting each pair by (labels in its stratum) / (sampled from it) estimates what
agreement over the whole labelled set would be. Pure: no files, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

GRADES = (0, 1, 2)


@dataclass(frozen=True, slots=True)
class GradedPair:
    """One pair graded by both readers; `weight` is its inverse sampling probability (1 when
    the pairs are the whole population)."""

    first: int
    second: int
    weight: float = 1.0


@dataclass(frozen=True)
class Agreement:
    """Agreement figures for one set of pairs (matrix rows: first reader, columns: second)."""

    pairs: int
    matrix: tuple[tuple[float, ...], ...]
    exact: float
    kappa: float | None
    weighted_kappa: float | None
    relevant_agreement: float  # 2 vs 0-1
    relevant_kappa: float | None
    any_agreement: float  # 1-2 vs 0
    any_kappa: float | None


def confusion_matrix(
    pairs: Iterable[GradedPair], grades: Sequence[int] = GRADES
) -> list[list[float]]:
    """Summed weights: row = first reader's grade, column = second reader's grade."""
    index = {grade: i for i, grade in enumerate(grades)}
    matrix = [[0.0] * len(grades) for _ in grades]
    for pair in pairs:
        if pair.first not in index or pair.second not in index:
            raise ValueError(f"grade outside {tuple(grades)}: {pair.first}, {pair.second}")
        if pair.weight <= 0:
            raise ValueError(f"weight must be positive, not {pair.weight}")
        matrix[index[pair.first]][index[pair.second]] += pair.weight
    return matrix


def cohen_kappa(
    matrix: Sequence[Sequence[float]], disagreement: Callable[[int, int], float] | None = None
) -> float | None:
    """Cohen's kappa of a square confusion matrix: 1 - observed / expected disagreement, with
    `disagreement(i, j)` the cost of rows i vs column j (default 0 on the diagonal, 1 off it).
    None when chance disagreement is zero (both readers used one and the same grade only)."""
    size = len(matrix)
    if any(len(row) != size for row in matrix):
        raise ValueError("the confusion matrix must be square")
    cost = disagreement or (lambda i, j: 0.0 if i == j else 1.0)
    total = sum(sum(row) for row in matrix)
    if total <= 0:
        return None
    rows = [sum(row) / total for row in matrix]
    columns = [sum(matrix[i][j] for i in range(size)) / total for j in range(size)]
    observed = sum(cost(i, j) * matrix[i][j] / total for i in range(size) for j in range(size))
    expected = sum(cost(i, j) * rows[i] * columns[j] for i in range(size) for j in range(size))
    if expected <= 1e-12:
        return None
    return 1.0 - observed / expected


def linear_weighted_kappa(matrix: Sequence[Sequence[float]]) -> float | None:
    """Kappa with linear weights: a disagreement of d grades costs d / (grades - 1)."""
    span = max(len(matrix) - 1, 1)
    return cohen_kappa(matrix, lambda i, j: abs(i - j) / span)


def _binary(pairs: Sequence[GradedPair], cut: int) -> tuple[float, float | None]:
    """Agreement and kappa on "grade >= cut" vs below."""
    matrix = confusion_matrix(
        (GradedPair(int(p.first >= cut), int(p.second >= cut), p.weight) for p in pairs),
        grades=(0, 1),
    )
    total = sum(sum(row) for row in matrix)
    agreed = (matrix[0][0] + matrix[1][1]) / total if total else 0.0
    return agreed, cohen_kappa(matrix)


def agreement(pairs: Iterable[GradedPair]) -> Agreement:
    """Every agreement figure for `pairs` (weighted by each pair's weight)."""
    found = list(pairs)
    matrix = confusion_matrix(found)
    total = sum(sum(row) for row in matrix)
    exact = sum(matrix[i][i] for i in range(len(GRADES))) / total if total else 0.0
    relevant_agreement, relevant_kappa = _binary(found, 2)
    any_agreement, any_kappa = _binary(found, 1)
    return Agreement(
        pairs=len(found),
        matrix=tuple(tuple(row) for row in matrix),
        exact=exact,
        kappa=cohen_kappa(matrix),
        weighted_kappa=linear_weighted_kappa(matrix),
        relevant_agreement=relevant_agreement,
        relevant_kappa=relevant_kappa,
        any_agreement=any_agreement,
        any_kappa=any_kappa,
    )


__all__ = [
    "GRADES",
    "Agreement",
    "GradedPair",
    "agreement",
    "cohen_kappa",
    "confusion_matrix",
    "linear_weighted_kappa",
]
