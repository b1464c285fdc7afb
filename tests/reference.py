"""Plain NumPy/Python oracles for the Numba kernels.

Written from the documented rules (word2vec's update equations, the random
draw order of embkit.kernels.sgns, the learning-rate schedule), not from the
kernel bodies: Python integers for the generator, NumPy vector operations
for the updates.  Slow, for tiny corpora only.
"""
import math

import numpy as np

M64 = (1 << 64) - 1


class LCG:
    """word2vec.c's generator on unsigned 64-bit Python ints."""

    def __init__(self, state):
        self.s = int(state) & M64

    def step(self):
        self.s = (self.s * 25214903917 + 11) & M64
        return self.s

    def uniform(self):
        return ((self.step() >> 16) & 0xFFFFFF) / 16777216.0

    def below(self, n):
        # the state is reinterpreted as signed int64 and shifted arithmetically
        # in the kernel; bits 16..63 masked to 48 bits give the same value
        return ((self.step() >> 16) & 0xFFFFFFFFFFFF) % n

    def noise(self, prob, alias):
        i = self.below(len(prob))
        return i if self.uniform() < float(prob[i]) else int(alias[i])


def table_sigmoid(f, size, max_exp):
    """(sigmoid, log sigmoid, log sigmoid of -f) as the documented table gives them."""
    if f >= max_exp or f <= -max_exp:
        return None
    i = min(int((f + max_exp) * (size / (2.0 * max_exp))), size - 1)
    x = ((i + 0.5) / size * 2.0 - 1.0) * max_exp
    s = np.float32(1.0 / (1.0 + math.exp(-x)))
    return s, np.float32(math.log(1.0 / (1.0 + math.exp(-x)))), np.float32(math.log(1.0 / (1.0 + math.exp(x))))


def step_and_loss(f, label, lr, size, max_exp):
    """The gradient step g (float32) and loss of one logistic output."""
    t = table_sigmoid(f, size, max_exp)
    if t is None:
        s = 1.0 if f >= max_exp else 0.0
        loss = math.log1p(math.exp(-f)) if label else math.log1p(math.exp(f))
        return np.float32((label - s) * lr), loss
    s, logs, log_neg = t
    g = np.float32((label - float(s)) * lr)
    return g, -float(logs) if label else -float(log_neg)


def reference_epoch(sg, tokens, offsets, bounds, seeds, w_in, w_out, prob, alias, keep, lr_start, lr_end,
                    window, negative, shrink=True, share_negatives=False, train_in=True, train_out=True,
                    table_size=4096, max_exp=6.0):
    """One epoch of SGNS (sg=True) or CBOW over all chunks, in chunk order.

    Updates w_in and w_out in place; returns (loss_sum, examples, kept).
    """
    n_tokens = len(tokens)
    total_loss, examples, kept_total = 0.0, 0, 0
    for c in range(len(bounds) - 1):
        rng = LCG(np.int64(seeds[c]).view(np.uint64))
        for s in range(bounds[c], bounds[c + 1]):
            kept = []
            for i in range(offsets[s], offsets[s + 1]):
                w = int(tokens[i])
                if float(keep[w]) < 1.0 and float(keep[w]) < rng.uniform():
                    continue
                kept.append((w, i))
            kept_total += len(kept)
            n = len(kept)
            for j, (centre, position) in enumerate(kept):
                lr = lr_start + (lr_end - lr_start) / n_tokens * position
                reduce = rng.below(window) if shrink else 0
                span = window - reduce
                ctx = [kept[k][0] for k in range(max(0, j - span), min(n, j + span + 1)) if k != j]
                if sg and share_negatives:
                    # the window as one batch (Ji et al. 2016): scores from the old vectors, then one update each
                    if not ctx:
                        continue
                    outs = [centre] + [rng.noise(prob, alias) for _ in range(negative)]
                    labels = np.array([1] + [0] * negative)
                    H = w_in[ctx]                      # (k, dim) copies of the old input rows
                    O = w_out[outs]                    # (n_out, dim) copies of the old output rows
                    F = H @ O.T
                    G = np.zeros(F.shape, np.float32)
                    for a in range(F.shape[0]):
                        for b in range(F.shape[1]):
                            if b > 0 and outs[b] == centre:
                                continue
                            G[a, b], loss = step_and_loss(float(F[a, b]), labels[b], lr, table_size, max_exp)
                            total_loss += loss
                    if train_out:
                        for b, t in enumerate(outs):
                            w_out[t] += (G[:, b:b + 1] * H).sum(axis=0, dtype=np.float32)
                    if train_in:
                        for a, c_word in enumerate(ctx):
                            w_in[c_word] += (G[a][:, None] * O).sum(axis=0, dtype=np.float32)
                    examples += len(ctx)
                elif sg:
                    for k_word in ctx:
                        h = w_in[k_word].copy()
                        err = np.zeros_like(h)
                        outs = [(centre, 1)] + [(rng.noise(prob, alias), 0) for _ in range(negative)]
                        for t, label in outs:
                            if label == 0 and t == centre:
                                continue
                            g, loss = step_and_loss(float(np.dot(h, w_out[t])), label, lr, table_size, max_exp)
                            total_loss += loss
                            err += g * w_out[t]
                            if train_out:
                                w_out[t] += g * h
                        if train_in:
                            w_in[k_word] += err
                        examples += 1
                else:
                    if not ctx:
                        continue
                    h = (np.sum(np.stack([w_in[k] for k in ctx]), axis=0, dtype=np.float32)
                         * np.float32(1.0 / len(ctx)))
                    err = np.zeros_like(h)
                    outs = [(centre, 1)] + [(rng.noise(prob, alias), 0) for _ in range(negative)]
                    for t, label in outs:
                        if label == 0 and t == centre:
                            continue
                        g, loss = step_and_loss(float(np.dot(h, w_out[t])), label, lr, table_size, max_exp)
                        total_loss += loss
                        err += g * w_out[t]
                        if train_out:
                            w_out[t] += g * h
                    if train_in:
                        for k_word in ctx:
                            w_in[k_word] += err
                    examples += 1
    return total_loss, examples, kept_total


def alias_distribution(prob, alias):
    """The exact distribution an alias table samples from."""
    n = len(prob)
    p = prob.astype(np.float64) / n
    np.add.at(p, alias, (1.0 - prob.astype(np.float64)) / n)
    return p


def reference_fasttext_epoch(sg, tokens, offsets, bounds, seeds, w_in, w_out, subrows, prob, alias, keep, lr_start,
                             lr_end, window, negative, shrink=True, share_negatives=False, train_in=True,
                             train_out=True, pos_w=None, table_size=4096, max_exp=6.0):
    """One epoch of fastText skip-gram (sg=True) or CBOW over all chunks, in chunk order.

    Skip-gram: fastText's pair-by-pair update, or (``share_negatives``) one
    batch per window with noise words shared across it.  CBOW's position
    weights learn at ``1/dim`` of the rows' rate.

    ``subrows[w]`` lists the input rows word ``w`` averages (its own row first).
    ``pos_w`` (CBOW): position weights, shape (2 * window, dim), trained in place.
    Updates w_in, w_out (and pos_w) in place; returns (loss_sum, examples, kept).
    """
    n_tokens = len(tokens)
    total_loss, examples, kept_total = 0.0, 0, 0

    def hidden(word):
        rows = subrows[word]
        return np.sum(w_in[rows], axis=0, dtype=np.float32) * np.float32(1.0 / len(rows))

    def add_to_rows(word, vec):
        for r in subrows[word]:          # a row listed twice gets the vector twice
            w_in[r] += vec

    def score(h, t, label, lr):
        g, loss = step_and_loss(float(np.dot(h, w_out[t])), label, lr, table_size, max_exp)
        return g, loss

    for c in range(len(bounds) - 1):
        rng = LCG(np.int64(seeds[c]).view(np.uint64))
        for s in range(bounds[c], bounds[c + 1]):
            kept = []
            for i in range(offsets[s], offsets[s + 1]):
                w = int(tokens[i])
                if float(keep[w]) < 1.0 and float(keep[w]) < rng.uniform():
                    continue
                kept.append((w, i))
            kept_total += len(kept)
            n = len(kept)
            for j, (centre, position) in enumerate(kept):
                lr = lr_start + (lr_end - lr_start) / n_tokens * position
                span = window - (rng.below(window) if shrink else 0)
                ctx_pos = [k for k in range(max(0, j - span), min(n, j + span + 1)) if k != j]
                ctx = [kept[k][0] for k in ctx_pos]
                if not ctx:
                    continue
                if sg and share_negatives:
                    # one batch: h once, noise words shared; a noise word stands for the pairs it does not equal
                    negs = [rng.noise(prob, alias) for _ in range(negative)]
                    h = hidden(centre)
                    targets = [(t, 1, 1.0) for t in ctx] + [(t, 0, float(sum(x != t for x in ctx))) for t in negs]
                    old = w_out[[t for t, _, _ in targets]].copy()
                    grads = np.zeros(len(targets), np.float32)
                    for q, (t, label, weight) in enumerate(targets):
                        if weight == 0:
                            continue
                        g, loss = score(h, t, label, lr)
                        grads[q] = g * np.float32(weight)
                        total_loss += loss * weight
                    err = (grads[:, None] * old).sum(axis=0, dtype=np.float32)
                    if train_out:
                        for q, (t, _, _) in enumerate(targets):
                            w_out[t] += grads[q] * h
                    if train_in:
                        add_to_rows(centre, err)
                    examples += len(ctx)
                elif sg:
                    for target in ctx:
                        h = hidden(centre)          # from the rows as the previous pair left them
                        err = np.zeros_like(h)
                        outs = [(target, 1)] + [(rng.noise(prob, alias), 0) for _ in range(negative)]
                        for t, label in outs:
                            if label == 0 and t == target:
                                continue
                            g, loss = score(h, t, label, lr)
                            total_loss += loss
                            err += g * w_out[t]
                            if train_out:
                                w_out[t] += g * h
                        if train_in:
                            add_to_rows(centre, err)
                        examples += 1
                else:
                    n_rows = sum(len(subrows[x]) for x in ctx)
                    slots = [p - j + window if p < j else p - j + window - 1 for p in ctx_pos]
                    sums = [np.sum(w_in[subrows[x]], axis=0, dtype=np.float32) for x in ctx]
                    if pos_w is None:
                        h = np.sum(sums, axis=0, dtype=np.float32) / np.float32(n_rows)
                    else:
                        h = np.sum([pos_w[o] * sv for o, sv in zip(slots, sums)], axis=0, dtype=np.float32) \
                            / np.float32(n_rows)
                    err = np.zeros_like(h)
                    outs = [(centre, 1)] + [(rng.noise(prob, alias), 0) for _ in range(negative)]
                    for t, label in outs:
                        if label == 0 and t == centre:
                            continue
                        g, loss = score(h, t, label, lr)
                        total_loss += loss
                        err += g * w_out[t]
                        if train_out:
                            w_out[t] += g * h
                    if train_in:
                        for x, o, sv in zip(ctx, slots, sums):
                            if pos_w is None:
                                add_to_rows(x, err)
                            else:
                                werr = pos_w[o] * err
                                pos_w[o] += err * sv / np.float32(n_rows * len(err))
                                add_to_rows(x, werr)
                    examples += 1
    return total_loss, examples, kept_total


# ---------------------------------------------------------------- co-occurrence counts, GloVe, PPMI

def reference_subsample(tokens, offsets, bounds, seeds, keep):
    """Sentences (lists of ids) after subsampling, drawing as documented in embkit.kernels.cooccur."""
    out = []
    for c in range(len(bounds) - 1):
        rng = LCG(np.int64(seeds[c]).view(np.uint64))
        for s in range(bounds[c], bounds[c + 1]):
            kept = []
            for i in range(offsets[s], offsets[s + 1]):
                w = int(tokens[i])
                if float(keep[w]) < 1.0 and float(keep[w]) < rng.uniform():
                    continue
                kept.append(w)
            out.append(kept)
    return out


def reference_cooccur(sentences, n_words, window, weighting, context):
    """Dense co-occurrence counts, summed exactly with fractions, from sentences of word ids."""
    from fractions import Fraction

    x = [[Fraction(0)] * n_words for _ in range(n_words)]
    for sent in sentences:
        for i, w in enumerate(sent):
            for j, v in enumerate(sent):
                d = abs(i - j)
                if d == 0 or d > window or (context == "left" and j > i) or (context == "right" and j < i):
                    continue
                if weighting == "uniform":
                    x[w][v] += 1
                elif weighting == "harmonic":
                    x[w][v] += Fraction(1, d)
                else:
                    x[w][v] += Fraction(window - d + 1, window)
    return np.array([[float(v) for v in row] for row in x])


def reference_ppmi(counts, cds, negative):
    """Dense shifted PPMI with context-distribution smoothing (Levy, Goldberg & Dagan 2015)."""
    x = np.asarray(counts, dtype=np.float64)
    p_ij = x / x.sum()
    p_i = x.sum(axis=1) / x.sum()
    c = x.sum(axis=0) ** cds
    p_j = c / c.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(p_ij) - np.log(p_i)[:, None] - np.log(p_j)[None, :] - math.log(negative)
    return np.where(x > 0, np.maximum(pmi, 0.0), 0.0)


def _fisher_yates(items, rng):
    for i in range(len(items) - 1, 0, -1):
        k = rng.below(i + 1)
        items[i], items[k] = items[k], items[i]


def reference_shuffle(dense_or_csr, start_state, bucket_seeds):
    """The shuffled (row, col, count) pairs of a CSR matrix, by the documented two-level draw."""
    m = dense_or_csr
    pairs = [(i, int(m.indices[k]), float(np.float32(m.data[k]))) for i in range(m.shape[0])
             for k in range(m.indptr[i], m.indptr[i + 1])]
    rng = LCG(np.int64(start_state).view(np.uint64))
    buckets = [[] for _ in bucket_seeds]
    for pair in pairs:
        buckets[rng.below(len(buckets))].append(pair)
    out = []
    for b, seed in zip(buckets, bucket_seeds):
        _fisher_yates(b, LCG(np.int64(seed).view(np.uint64)))
        out += b
    return out


def reference_glove_epoch(pairs, block_size, block_order, block_seeds, st, lr, x_max, exponent, bias_lr=1.0,
                          clip=100.0):
    """One GloVe epoch with AdaGrad as documented in embkit.kernels.glove; updates ``st`` in place.

    Returns (cost sum, pairs trained).
    """
    cost, trained = 0.0, 0
    for b, seed in zip(block_order, block_seeds):
        block = pairs[b * block_size:(b + 1) * block_size]
        order = list(range(len(block)))
        _fisher_yates(order, LCG(np.int64(seed).view(np.uint64)))
        for q in order:
            i, j, x = block[q]
            wi, cj = st["w"][i].copy(), st["c"][j].copy()
            diff = float(np.dot(wi.astype(np.float64), cj)) + float(st["bw"][i]) + float(st["bc"][j]) - math.log(x)
            f = 1.0 if x >= x_max else (x / x_max) ** exponent
            cost += 0.5 * f * diff * diff
            g = np.float32(f * diff)
            sw = np.clip(g * cj, -clip, clip).astype(np.float32) * np.float32(lr)
            sc = np.clip(g * wi, -clip, clip).astype(np.float32) * np.float32(lr)
            s = g * np.float32(bias_lr)
            st["w"][i] -= sw / np.sqrt(st["gw"][i])
            st["c"][j] -= sc / np.sqrt(st["gc"][j])
            st["gw"][i] += sw * sw
            st["gc"][j] += sc * sc
            st["bw"][i] -= s / np.sqrt(st["gbw"][i])
            st["bc"][j] -= s / np.sqrt(st["gbc"][j])
            st["gbw"][i] += s * s
            st["gbc"][j] += s * s
            trained += 1
    return cost, trained


# ---------------------------------------------------------------- phrases

PH_BREAK, PH_WORD, PH_CONNECTOR = 0, 1, 2


def _phrase_candidate(sent, i, role, nwords, max_len):
    """(end, connectors) of the candidate opened by the word at ``i``, or None.

    The rule: a word, then every connector that follows it, then the first
    other token, which must be a word; at most ``max_len`` words in all.
    """
    j = i + 1
    while j < len(sent) and role[sent[j]] == PH_CONNECTOR:
        j += 1
    if j == len(sent) or role[sent[j]] != PH_WORD:
        return None
    between = tuple(sent[i + 1:j])
    if nwords[sent[i]] + len(between) + nwords[sent[j]] > max_len:
        return None
    return j, between


def reference_phrase_counts(sentences, role, nwords, max_len):
    """{(first, connector ids, last): count} over every word that opens a candidate."""
    counts = {}
    for sent in sentences:
        for i, t in enumerate(sent):
            if role[t] != PH_WORD:
                continue
            found = _phrase_candidate(sent, i, role, nwords, max_len)
            if found is not None:
                j, between = found
                key = (t, between, sent[j])
                counts[key] = counts.get(key, 0) + 1
    return counts


def reference_phrase_join(sentences, role, nwords, max_len, terms):
    """The sentences with each candidate in ``terms`` ({key: new id}) replaced, left to right.

    A candidate that is not a term leaves its first word and connectors as
    they are, and its last word opens the next candidate.
    """
    out = []
    for sent in sentences:
        joined, i = [], 0
        while i < len(sent):
            found = _phrase_candidate(sent, i, role, nwords, max_len) if role[sent[i]] == PH_WORD else None
            if found is None:
                j = i + 1
                while role[sent[i]] == PH_WORD and j < len(sent) and role[sent[j]] == PH_CONNECTOR:
                    j += 1               # the connectors after a word that opens nothing stay as they are
                joined.extend(sent[i:j])
                i = j
                continue
            j, between = found
            key = (sent[i], between, sent[j])
            if key in terms:
                joined.append(terms[key])
                i = j + 1
            else:
                joined.extend(sent[i:j])
                i = j
        out.append(joined)
    return out
