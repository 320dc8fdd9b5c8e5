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
            arrays over the same networks; NaN ranks lowest (as the official ``-inf``).

    Shapes:
        each component ``(n,)``; returns ``(n,)`` (NaN where every component is NaN).
    """
    import pandas as pd

    arrays = [np.asarray(components[k], dtype=float) for k in COMPONENTS]
    n = len(arrays[0])
    total = np.zeros(n)
    for a in arrays:
        filled = np.where(np.isnan(a), -np.inf, a)
        total += np.log(pd.Series(filled).rank(method="average").to_numpy() / n)
    every_nan = np.all(np.isnan(np.stack(arrays)), axis=0)
    return np.where(every_nan, np.nan, total)


PROXY = Proxy(
    name="az_nas",
    needs=("aznas:aznas", "single:macs"),
    score=_score,
    paper="Lee & Ham, CVPR 2024",
    convention="Kaiming fan-in init, Gaussian batch 64, train-mode BN; rank aggregate of 4 components",
    input_dependent=True,
    components=COMPONENTS,
)
