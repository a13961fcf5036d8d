import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online import minhash
from threadline.engines.online.minhash import NUM_PERM, signatures32


def _straightforward(s32: np.ndarray, offsets: np.ndarray, num_perm: int) -> np.ndarray:
    """Each document's minimum of every permutation, one document at a time (the definition)."""
    sig = np.full((len(offsets) - 1, num_perm), 0xFFFFFFFF, dtype=np.uint32)
    for d in range(len(offsets) - 1):
        vals = s32[offsets[d] : offsets[d + 1]]
        if len(vals):
            for k in range(num_perm):
                sig[d, k] = ((vals ^ minhash._B32[k]) * minhash._A32[k]).min()
    return sig


def _signatures_in_blocks(s32: np.ndarray, offsets: np.ndarray, block: int, num_perm: int) -> np.ndarray:
    saved = minhash.SIG_BLOCK
    minhash.SIG_BLOCK = block
    try:
        return signatures32(s32, offsets, num_perm)
    finally:
        minhash.SIG_BLOCK = saved


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 12), max_size=30),  # shingles per document (empty documents included)
    st.integers(1, 16),  # block size: documents longer than a block, blocks of one document, of many
    st.integers(0, 2**32 - 1),
)
def test_blocked_signatures_equal_the_straightforward_ones(lens, block, seed):
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    s32 = np.random.default_rng(seed).integers(0, 2**32, size=int(offsets[-1]), dtype=np.uint32)
    got = _signatures_in_blocks(s32, offsets, block, 8)
    assert got.shape == (len(lens), 8) and got.dtype == np.uint32 and got.flags.c_contiguous
    assert np.array_equal(got, _straightforward(s32, offsets, 8))


@pytest.mark.parametrize("block", [1 << 16, 5])
def test_signatures_of_a_batch_with_the_default_permutations(block):
    rng = np.random.default_rng(7)
    lens = rng.integers(0, 40, size=300)
    lens[::17] = 0
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    s32 = rng.integers(0, 2**32, size=int(offsets[-1]), dtype=np.uint32)
    got = _signatures_in_blocks(s32, offsets, block, NUM_PERM)
    assert np.array_equal(got, _straightforward(s32, offsets, NUM_PERM))
    assert (got[lens == 0] == 0xFFFFFFFF).all()


def test_no_shingles():
    assert signatures32(np.zeros(0, np.uint32), np.zeros(4, np.int64)).tolist() == [[0xFFFFFFFF] * NUM_PERM] * 3
