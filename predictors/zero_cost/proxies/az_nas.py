"""az_nas: AZ-NAS's four components; the proxy itself is their rank aggregate over a population.

Paper: Lee & Ham, "AZ-NAS: Assembling Zero-Cost Proxies for Network Architecture Search", CVPR
2024.
Convention (official ``NB201/ZeroShotProxy/compute_az_nas_score.py`` and ``tss_general.ipynb``):
a copy with Kaiming-normal fan-in weights (biases 0, BN weight 1 / bias 0), train-mode BN, one
batch of 64 Gaussian random inputs (AZ-NAS does not use real images for it); the features are the
outputs of the network's blocks: on NB201 the stem output and every cell's / reduction block's
output (the official ``extract_cell_features``).
- expressivity: sum over features of the entropy of the normalised eigenvalues of the channel
  covariance (pixels x batch as samples);
- progressivity: the minimum increase of that entropy from one feature to the next;
- trainability: mean over consecutive features of ``2 - s - 1/s`` with ``s`` the largest singular
  value of the (pixel-unshuffled) Jacobian estimate from a Rademacher backward; ``-inf`` for an
  identity cell (then NaN here, with the reason; it ranks lowest in the aggregate);
- complexity: FLOPs (millions), as the official notebook takes them from the benchmark.
The covariance is summed in float32 as in the official code; its eigenvalues are taken in float64
(the official code stays in float32). When rounding leaves an eigenvalue below -1e-8 the entropy
is NaN (the official code then returns ``-inf``); either way the cell ranks lowest on that
component. On NB201 this happens to 45 of the first 1,398 representatives: cells of only pooling
/ skip edges, whose linear features grow about 8x per cell, so the last stage's covariance has a
condition number near 1e11; all 45 are in the bottom 5% of CIFAR-10 accuracy. Float32
eigenvalues (the official choice) flag more of them: 14-17 instead of 8 of 150 seeded
representatives (seeds 0-2), the extra ones at 79-89% accuracy; the aggregate's Spearman moved by
+0.001, +0.005, -0.002 on the three seeds, well inside the seed spread (0.898, 0.913, 0.928 on
the same 150 networks), so the more exact float64 stays.
The aggregate ``az_nas = sum_k log(rank_k / n)`` over the four components needs the whole
population, so one network's ``az_nas`` is the sum of its log-ranks among the networks scored
together: ``aggregate`` computes it, and tables store it over all their architectures.

Population. The paper's NB201 figure (Spearman 0.913; the VKDNW rerun 0.892) ranks all 15,625
architectures: isomorphic copies each count, and the 341 whose output ignores the input (no path
to the output) take part and rank last. A table of isomorphism-class representatives, with those
341 left NaN by the runner, ranks a different population, so its Spearman is not comparable:
on the first 1,400 representatives the same scores give 0.872 over the representatives and 0.893
over the 4,039 architectures of those classes (each with its own accuracy and benchmark FLOPs,
its class's other components, the constant-output ones as ``-inf``; class bootstrap sd 0.02).

Blocks on the other networks. The official code reads the stem and cell outputs on NB201, and on
its MobileNetV2 space (``ImageNet_MBV2``, ``extract_layer_features_and_logit``) the output of
every block (the stem conv, each inverted-residual block after its residual add and ReLU). Here
every network names its blocks in ``feature_blocks()`` (``predictors.networks``), read by
forward hooks in one pass (``predictors.zero_cost.passes.block_features``):

============  ========================================  =====================================
network       features (in forward order)               trainability step ``i-1 -> i``
============  ========================================  =====================================
NB201, NATS   stem; every cell and reduction block      the cell / block (a chain)
NB101         stem conv-BN-ReLU; the 9 cells (not the   the cell; across stacks the max-pool,
              max-pools between stacks)                 then the cell
DARTS/NB301   stem; every cell's output (concat of its  the cell's path from the previous
              4 nodes)                                  cell's output (its ``s1`` input);
                                                        cell 0 reads the stem as both inputs,
                                                        so both paths count; the ``s0`` input
                                                        (two cells back) is not a consecutive
                                                        pair and is not followed
NB-Macro      stem; every searched layer except a       the block (a chain); a no-op identity
              no-op identity (not the first of its      adds nothing, so moving it inside its
              stage): the benchmark's "real" arch;      stage changes no component
              not the fixed 1x1 head
TransNAS      stem (its two convs as one block); every  the basic block / micro cell (a chain)
              basic block (macro) / micro cell (micro)
============  ========================================  =====================================

In every network the Jacobian is taken through the network's own graph, from block ``i-1``'s
output to block ``i``'s (autograd follows every path between them, and only those). A micro
cell that is the identity scores ``-inf`` trainability (NaN), as an NB201 one. Small maps where
the pixels x batch are fewer than the channels (TransNAS's last cells at 32x32) leave the
covariance rank-deficient; the tables run TransNAS at its 256x256 input.
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
