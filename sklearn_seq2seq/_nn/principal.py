"""Principal directions of features: where the kernel bank's map into the code starts training."""

from __future__ import annotations

import torch

#: Directions whose standard deviation over the features is below this fraction of the first's are
#: left out: beyond the features' rank they are rounding noise.
RANK_TOLERANCE = 1e-3

#: At most one direction per this many sequences: the later directions of a few sequences fit those
#: sequences' noise.
SEQUENCES_PER_DIRECTION = 2


@torch.no_grad()
def whitened_directions(features: torch.Tensor, n_directions: int) -> torch.Tensor:
    """The first principal directions of ``features`` (n, d), each scaled to unit variance.

    Parameters
    ----------
    features : torch.Tensor
        One row of features per sequence, shape (n, d).
    n_directions : int
        How many directions at most.

    Returns
    -------
    torch.Tensor
        Shape (k, d), ``k <= n_directions``, in double precision: row ``i`` is the ``i``-th principal
        direction (by singular value decomposition of the centred features) divided by the
        features' standard deviation along it, so that the projections of the centred
        features on the rows are uncorrelated with unit variance. Directions beyond the features'
        rank (:data:`RANK_TOLERANCE`) or beyond one per :data:`SEQUENCES_PER_DIRECTION` rows of
        ``features`` are left out.
    """
    values = features.double()
    _, singular, directions = torch.linalg.svd(values - values.mean(0), full_matrices=False)
    spread = singular / len(values) ** 0.5  # standard deviation along each direction
    if spread[0] <= 0:  # every row alike (a single row, or constant features): no direction
        return values.new_zeros(0, values.shape[1])
    rank = int((spread > RANK_TOLERANCE * spread[0]).sum())
    kept = min(rank, n_directions, len(values) // SEQUENCES_PER_DIRECTION)
    return directions[:kept] / spread[:kept, None]
