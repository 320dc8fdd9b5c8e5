"""The wiring facts a network builder reads from the spaces (numpy only, no torch).

NB101's channel plan is the one the published parameter counts come from; NB201-cell and DARTS
edges are read back from the strings they describe.
"""

from __future__ import annotations

import numpy as np
import pytest

from nasbench.spaces import darts, nb101, nb201, transnas_micro

#: the first cell of the NB101 table: 8,555,530 parameters (published)
FIRST = (
    "ops:input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output"
    "|adj:0100110,0010000,0001001,0000010,0000010,0000001,0000000"
)


def test_nb101_channel_plan_splits_the_output_and_propagates_back():
    # vertices 2 and 5 feed the output: 129 = 65 + 64 (the first gets the remainder); 1 feeds 2,
    # and 3 and 4 feed 5, so they take those counts
    assert nb101.channel_plan(FIRST, 128, 129) == [128, 65, 65, 64, 64, 64, 129]
    assert nb101.channel_plan(FIRST, 128, 256) == [128, 128, 128, 128, 128, 128, 256]
    matrix = np.array(nb101.SPACE.cell(FIRST).matrix)
    assert nb101.channel_plan(matrix, 128, 129) == nb101.channel_plan(FIRST, 128, 129)


def test_nb101_network_plan_gives_the_published_count():
    plan = nb101.cell_plan()
    assert plan[0] == (128, 128) and plan[3] == (128, 256) and plan[6] == (256, 512)
    assert len(plan) == 9 and plan[-1] == (512, 512)
    assert nb101.SPACE.parameter_count(FIRST) == 8_555_530
    assert nb101.SPACE.params(FIRST) == pytest.approx(8.55553)


@pytest.mark.parametrize("space", [nb201.SPACE, transnas_micro.SPACE])
def test_nb201_cell_edges_read_back_the_string(space):
    for arch in space.sample(20, seed=0):
        edges = space.cell_edges(arch)
        assert len(edges) == 6 and {(t, f) for t, f, _ in edges} == {
            (1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)}
        assert tuple(op for _, _, op in edges) == space.cell(arch).ops


def test_darts_cell_edges_read_back_the_genotype():
    g = darts.SPACE.sample(1, seed=3)[0]
    genotype = darts.SPACE.genotype(g)
    for cell in darts.CELLS:
        edges = darts.SPACE.cell_edges(g, cell)
        assert [t for t, _, _ in edges] == [2, 2, 3, 3, 4, 4, 5, 5]
        assert [(op, f) for _, f, op in edges] == list(getattr(genotype, cell))
        assert all(f < t for t, f, _ in edges)
    with pytest.raises(ValueError, match="normal, reduce"):
        darts.SPACE.cell_edges(g, "both")
