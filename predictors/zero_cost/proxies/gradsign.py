"""gradsign: agreement of the signs of per-image gradients.

Paper: Zhang & Jia, "GradSign: Model Performance Inference with Theoretical Insights", ICLR 2022.
Convention (the official ``grad_conflict`` measure in cmu-catalyst/GradSign): for each of the 64
images its own loss gradient (the image alone through the network, so BN normalises over that
image's pixels: train mode with a batch of one), for every Conv2d / Linear weight element
``|sum_images sign(g_i)|``, summed over all elements (AZ-NAS's copy takes the mean instead,
which ranks differently across networks of different size). The per-image gradients come from
one batched pass (train-mode BN of one image is instance norm with the BN's affine parameters; the
weight gradient of every image from one convolution backward with the batch folded into the
groups, so grouped and depthwise convolutions (NB301's separable / dilated convs, NAS-Bench-Macro's
inverted residuals) are covered too: ``passes.per_image_grads``) instead of 64 separate backward
passes. Where BN over one image makes the logits the same for every image (a network whose every
path to the global pooling ends in a BN: every TransNAS network, and DARTS / NB301 genotypes
whose normal cell has no pooling op, 2 of the first 12 NB301 genotypes) the per-image gradients
are float rounding noise (the logits of different images agree to 1e-7), so GradSign is NaN
with ``IMAGE_INDEPENDENT`` as the reason, where the official loop would return a number made of
that noise. (On the other
DARTS genotypes the same holds for the last cell's ops that end in a BN and the classifier
columns they feed: their per-image gradients are noise too, in the official loop as here, and
GradSign counts them.) Differences from the paper's NB201 run (``nasbench2_pred.py``): it used
batches of 128 and zero-cost-nas's NB201 model (non-affine BN and conv biases inside the cells);
here the table's batch of 64 and the benchmark's own network. On a graph GradSign is NaN with
the reason: per-node gradients do not separate (``predictors.zero_cost.graph_passes``).
"""

from predictors.zero_cost.base import Proxy, Undefined

#: the reason recorded where per-image BN leaves the logits the same for every image
IMAGE_INDEPENDENT = (
    "with BN over one image (GradSign's per-image gradients) the logits are the same for every "
    "image: every path to the pooling ends in a BN, whose one-image output has zero spatial mean"
)


def _score(o):
    if o["persample"]["image_independent"]:
        raise Undefined(IMAGE_INDEPENDENT)
    return o["persample"]["gradsign"]


PROXY = Proxy(
    name="gradsign",
    needs=("persample:gradsign", "persample:image_independent"),
    score=_score,
    paper="Zhang & Jia, ICLR 2022",
    input_dependent=True,
    convention="per-image gradients of 64 images (BN per image), sum |sum sign(g_i)| over weights",
)
