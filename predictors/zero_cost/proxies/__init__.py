"""One module per zero-cost proxy, each defining ``PROXY`` (see ``predictors.zero_cost.base``).

Every module's docstring states the paper, the convention followed here (batch, init, BN mode,
sign / abs, data, loss) and where NASLib (NAS-Bench-Suite-Zero) and zero-cost-nas differ.
Common to all unless a module says otherwise: the network as the benchmark built it
(``predictors.networks``) with the initial weights its builder draws under the run's seed
("default init" in the conventions: PyTorch's layer defaults, except NB101, whose builder uses the
benchmark's TensorFlow initialisers), BN in train mode,
one class-balanced batch of 64 CIFAR-10 (JPEG q75) train images, mean cross-entropy loss, and
"layers" meaning every Conv2d and Linear. On a graph (NAS-Bench-Graph GNNs on Cora / CiteSeer)
the same scores read the graph passes, nodes playing the role of images: the per-proxy graph
conventions are the table in ``predictors.zero_cost.graph_passes`` (the project's own; no
published GNN proxy table exists to match).
"""
