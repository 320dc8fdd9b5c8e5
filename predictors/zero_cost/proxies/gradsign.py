"""gradsign: agreement of the signs of per-image gradients.

Paper: Zhang & Jia, "GradSign: Model Performance Inference with Theoretical Insights", ICLR 2022.
Convention (the official ``grad_conflict`` measure in cmu-catalyst/GradSign): for each of the 64
images its own loss gradient (the image alone through the network, so BN normalises over that
image's pixels: train mode with a batch of one), for every Conv2d / Linear weight element
``|sum_images sign(g_i)|``, summed over all elements (AZ-NAS's copy takes the mean instead,
which ranks differently across networks of different size). The per-image gradients come from
one batched pass (train-mode BN of one image is instance norm with the BN's affine parameters; the
weight gradient of every image from one grouped convolution backward) instead of 64 separate
backward passes. Differences from the paper's NB201 run (``nasbench2_pred.py``): it used batches
of 128 and zero-cost-nas's NB201 model (non-affine BN and conv biases inside the cells); here the
table's batch of 64 and the benchmark's own network. On a graph GradSign is NaN with the reason:
per-node gradients do not separate (``predictors.zero_cost.graph_passes``).
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="gradsign",
    needs=("persample:gradsign",),
    score=lambda o: o["persample"]["gradsign"],
    paper="Zhang & Jia, ICLR 2022",
    input_dependent=True,
    convention="per-image gradients of 64 images (BN per image), sum |sum sign(g_i)| over weights",
)
