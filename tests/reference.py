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
