"""The phrase kernels against the plain-Python oracles in reference.py."""
import numpy as np
import pytest
from reference import PH_BREAK, PH_CONNECTOR, PH_WORD, reference_phrase_counts, reference_phrase_join

from embkit.kernels import phrases as kp


def _stream(sentences):
    tokens = np.array([t for s in sentences for t in s], dtype=np.int32)
    offsets = np.zeros(len(sentences) + 1, np.int64)
    np.cumsum([len(s) for s in sentences], out=offsets[1:])
    return tokens, offsets


def _roles(rng, n_ids, n_connectors):
    role = rng.choice([PH_WORD, PH_WORD, PH_WORD, PH_BREAK], size=n_ids).astype(np.int8)
    connector_ids = rng.choice(n_ids, size=n_connectors, replace=False)
    code = np.zeros(n_ids, np.int32)
    role[connector_ids] = PH_CONNECTOR
    code[connector_ids] = np.arange(1, n_connectors + 1)
    nwords = rng.choice([1, 1, 1, 2, 3], size=n_ids).astype(np.int32)
    return role, code, nwords, {int(c): int(i) for i, c in zip(connector_ids, code[connector_ids])}


def _kernel_counts(tokens, offsets, role, code, nwords, radix, max_len, capacity=1024):
    n_ids = len(role)
    pairs, mids = np.full(capacity, -1, np.int64), np.zeros(capacity, np.int32)
    counts = np.zeros(capacity, np.uint32)
    used, stop = kp.count_candidates(tokens, offsets, role, code, nwords, n_ids, radix, max_len, pairs, mids, counts,
                                     0, 0, capacity * 3 // 4)
    assert stop == len(offsets) - 1
    return pairs, mids, counts, used


def _decode(pairs, mids, counts, n_ids, radix, id_of_code):
    out = {}
    for key, mid, c in zip(pairs.tolist(), mids.tolist(), counts.tolist()):
        if key < 0:
            continue
        digits = []
        while mid:
            digits.append(id_of_code[mid % radix])
            mid //= radix
        out[(key // n_ids, tuple(digits[::-1]), key % n_ids)] = c
    return out


def _random_corpus(rng, n_ids, n_sentences=60):
    return [rng.integers(0, n_ids, size=rng.integers(0, 14)).tolist() for _ in range(n_sentences)]


@pytest.mark.parametrize("seed", range(6))
def test_counts_match_the_oracle(seed):
    rng = np.random.default_rng(seed)
    n_ids, n_connectors, max_len = 12, 3, int(rng.integers(2, 6))
    role, code, nwords, id_of_code = _roles(rng, n_ids, n_connectors)
    sentences = _random_corpus(rng, n_ids)
    tokens, offsets = _stream(sentences)
    pairs, mids, counts, used = _kernel_counts(tokens, offsets, role, code, nwords, n_connectors + 1, max_len)
    expected = reference_phrase_counts(sentences, role, nwords, max_len)
    assert _decode(pairs, mids, counts, n_ids, n_connectors + 1, id_of_code) == expected
    assert used == len(expected) and expected                    # every seed gives some candidates


def test_a_small_hand_counted_corpus():
    # ids: 0 bank, 1 of, 2 england, 3 rates, 4 "," (a break); "of" is the only connector
    role = np.array([PH_WORD, PH_CONNECTOR, PH_WORD, PH_WORD, PH_BREAK], np.int8)
    code = np.array([0, 1, 0, 0, 0], np.int32)
    nwords = np.ones(5, np.int32)
    sentences = [[0, 1, 2, 3], [0, 1, 2, 4, 3], [2, 3], [1, 2, 3], [0, 1, 1, 2]]
    tokens, offsets = _stream(sentences)
    pairs, mids, counts, used = _kernel_counts(tokens, offsets, role, code, nwords, 2, 4)
    # bank_of_england twice (the break after it in line 2 ends nothing before it), england_rates three times
    # (not across the break), bank_of_of_england once (4 words), of_england never (a connector opens nothing)
    assert _decode(pairs, mids, counts, 5, 2, {1: 1}) == {(0, (1,), 2): 2, (2, (), 3): 3, (0, (1, 1), 2): 1}
    assert used == 3
    pairs, mids, counts, used = _kernel_counts(tokens, offsets, role, code, nwords, 2, 3)   # max_len 3
    assert _decode(pairs, mids, counts, 5, 2, {1: 1}) == {(0, (1,), 2): 2, (2, (), 3): 3}


@pytest.mark.parametrize("seed", range(6))
def test_joins_match_the_oracle(seed):
    rng = np.random.default_rng(100 + seed)
    n_ids, n_connectors, max_len = 10, 2, int(rng.integers(2, 6))
    role, code, nwords, id_of_code = _roles(rng, n_ids, n_connectors)
    sentences = _random_corpus(rng, n_ids)
    candidates = sorted(reference_phrase_counts(sentences, role, nwords, max_len))
    chosen = [candidates[i] for i in rng.permutation(len(candidates))[:max(1, len(candidates) // 2)]]
    terms = {key: n_ids + k for k, key in enumerate(chosen)}
    radix = n_connectors + 1
    code_of_id = {i: c for c, i in id_of_code.items()}
    keys = np.array([a * n_ids + b for a, _, b in chosen], np.int64)
    mids = np.array([int("".join(str(code_of_id[c]) for c in between) or "0", radix) for _, between, _ in chosen],
                    np.int32)
    t_pairs, t_mids, t_ids = np.full(64, -1, np.int64), np.zeros(64, np.int32), np.zeros(64, np.int32)
    kp.build_table(keys, mids, np.array(list(terms.values()), np.int32), t_pairs, t_mids, t_ids)
    tokens, offsets = _stream(sentences)
    out = np.empty(len(tokens), np.int32)
    lengths = np.empty(len(sentences), np.int64)
    n = kp.join_candidates(tokens, offsets, role, code, nwords, n_ids, radix, max_len, t_pairs, t_mids, t_ids, out,
                           lengths)
    expected = reference_phrase_join(sentences, role, nwords, max_len, terms)
    assert lengths.tolist() == [len(s) for s in expected]
    assert out[:n].tolist() == [t for s in expected for t in s]
    assert n < len(tokens)                                        # something was joined


def test_counting_stops_before_a_sentence_that_could_overfill_and_resumes():
    role = np.full(3, PH_WORD, np.int8)
    code, nwords = np.zeros(3, np.int32), np.ones(3, np.int32)
    sentences = [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    tokens, offsets = _stream(sentences)
    pairs, mids, counts = np.full(16, -1, np.int64), np.zeros(16, np.int32), np.zeros(16, np.uint32)
    used, stop = kp.count_candidates(tokens, offsets, role, code, nwords, 3, 1, 4, pairs, mids, counts, 0, 0, 4)
    assert (used, stop) == (2, 1)          # after sentence 0 (2 keys), 2 + 3 tokens would pass the limit of 4
    used, stop = kp.count_candidates(tokens, offsets, role, code, nwords, 3, 1, 4, pairs, mids, counts, 1, used, 12)
    assert (used, stop) == (3, 3)          # 01, 12, 20: each seen twice
    assert sorted(counts[pairs >= 0].tolist()) == [2, 2, 2]


def test_rehash_keeps_the_keys_at_or_above_the_floor():
    pairs, mids, counts = np.full(16, -1, np.int64), np.zeros(16, np.int32), np.zeros(16, np.uint32)
    keys = np.array([5, 7, 9, 11], np.int64)
    kp.build_table(keys, np.array([0, 3, 0, 1], np.int32), np.zeros(4, np.int32), pairs, mids, np.zeros(16, np.int32))
    for key, c in zip(keys.tolist(), [1, 4, 2, 7]):
        counts[pairs == key] = c
    new = np.full(8, -1, np.int64), np.zeros(8, np.int32), np.zeros(8, np.uint32)
    assert kp.rehash(pairs, mids, counts, 2, *new) == 3
    kept = {(k, m): c for k, m, c in zip(*(a.tolist() for a in new)) if k >= 0}
    assert kept == {(7, 3): 4, (9, 0): 2, (11, 1): 7}
    assert kp.find(new[0], new[1], 11, 1) >= 0 and kp.find(new[0], new[1], 11, 0) == -1


def test_counts_stop_at_the_largest_uint32():
    role, code, nwords = np.full(2, PH_WORD, np.int8), np.zeros(2, np.int32), np.ones(2, np.int32)
    tokens, offsets = _stream([[0, 1], [0, 1], [0, 1]])
    pairs, mids, counts = np.full(16, -1, np.int64), np.zeros(16, np.int32), np.zeros(16, np.uint32)
    kp.count_candidates(tokens, offsets[:2], role, code, nwords, 2, 1, 2, pairs, mids, counts, 0, 0, 12)
    counts[pairs == 1] = 2**32 - 2
    used, _ = kp.count_candidates(tokens, offsets, role, code, nwords, 2, 1, 2, pairs, mids, counts, 1, 1, 12)
    assert used == 1 and counts[pairs == 1].tolist() == [2**32 - 1]          # not wrapped round to 0
