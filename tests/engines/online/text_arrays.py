"""What ``analyse_records`` hands to linking for a few plain texts (words split on spaces)."""

import numpy as np

from threadline.engines.online.minhash import band_keys, shingle_hashes, signatures, word_hashes


def link_arrays(texts: list[str]):
    """LSH band keys, 16-bit signatures, 32-bit shingle hashes and shingle offsets of ``texts``."""
    flat, lens = [], []
    for t in texts:
        w = [x.encode() for x in t.split()]
        flat += word_hashes(w)
        lens.append(len(w))
    sh, off = shingle_hashes(flat, lens)
    sig = signatures(sh, off)
    return band_keys(sig), (sig & 0xFFFF).astype(np.uint16), (sh >> np.uint64(32)).astype(np.uint32), off
