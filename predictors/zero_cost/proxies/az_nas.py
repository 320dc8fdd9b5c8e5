"""az_nas: AZ-NAS's four components; the proxy itself is their rank aggregate over a population.

Paper: Lee & Ham, "AZ-NAS: Assembling Zero-Cost Proxies for Network Architecture Search", CVPR
2024.
Convention (official ``NB201/ZeroShotProxy/compute_az_nas_score.py`` and ``tss_general.ipynb``):
a copy with Kaiming-normal fan-in weights (biases 0, BN weight 1 / bias 0), train-mode BN, one
batch of 64 Gaussian random inputs (AZ-NAS does not use real images for it); the features are the
stem output and every cell's / reduction block's output.
- expressivity: sum over features of the entropy of the normalised eigenvalues of the channel
  covariance (pixels x batch as samples);
- progressivity: the minimum increase of that entropy from one feature to the next;
- trainability: mean over consecutive features of ``2 - s - 1/s`` with ``s`` the largest singular
  value of the (pixel-unshuffled) Jacobian estimate from a Rademacher backward; ``-inf`` for an
  identity cell (then NaN here, with the reason; it ranks lowest in the aggregate);
- complexity: FLOPs (millions), as the official notebook takes them from the benchmark.
The covariance is summed in float32 as in the official code; when rounding leaves an eigenvalue
below -1e-8 the entropy is NaN (the official code then returns ``-inf``); either way the cell ranks
lowest on that component (seen on 1 of the first 25 representatives).
The aggregate ``az_nas = sum_k log(rank_k / n)`` over the four components needs the whole
population, so one network's ``az_nas`` is the sum of its log-ranks among the networks scored
together: ``aggregate`` computes it, and tables store it over all their architectures.
"""

import numpy as np

from predictors.zero_cost.base import Proxy

COMPONENTS = ("expressivity", "progressivity", "trainability", "complexity")


def _score(o):
    comps = dict(o["aznas"]["aznas"])
    comps["complexity"] = o["single"]["macs"] / 1e6
    return comps


def aggregate(components: dict[str, np.ndarray]) -> np.ndarray:
    """The AZ-NAS rank aggregate ``sum_k log(rank_k / n)`` over a population.

    Args:
        components: ``expressivity``, ``progressivity``, ``trainability``, ``complexity``
            arrays over the same networks. The population is the networks with any component
            (``n`` of them); within it a NaN component ranks lowest (as the official ``-inf``).
            The rule lives in ``nasbench.recipes.nb201_zc.rank_aggregate``, which the store uses.

    Shapes:
        each component ``(N,)``; returns ``(N,)``, NaN outside the population.
    """
    from nasbench.recipes.nb201_zc import rank_aggregate

    return rank_aggregate([components[k] for k in COMPONENTS])


PROXY = Proxy(
    name="az_nas",
    needs=("aznas:aznas", "single:macs"),
    score=_score,
    paper="Lee & Ham, CVPR 2024",
    convention="Kaiming fan-in init, Gaussian batch 64, train-mode BN; rank aggregate of 4 components",
    input_dependent=True,
    components=COMPONENTS,
)
