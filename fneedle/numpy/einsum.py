"""einsum: Einstein summation as a sequence of lax.dot_general contractions, in the order
NumPy's einsum_path picks (computed on the static shapes only)."""

import string

import numpy as np

from fneedle import lax
from fneedle.core.errors import ShapeError
from fneedle.numpy import products
from fneedle.numpy.promotion import promote


def _parse(subscripts, shapes):
    """Input label strings and the output label string, with '...' replaced by letters."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
        explicit = True
    else:
        ins, out, explicit = subscripts, None, False
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: the subscripts name {len(ins)} operands but "
                         f"{len(shapes)} were given.")
    used = set(subscripts) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((len(s) - (len(t) - 3) if "..." in t else 0)
                for s, t in zip(shapes, ins)) if ins else 0
    ell = "".join(spare[:n_ell])
    labels = []
    for t, s in zip(ins, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            if k < 0:
                raise ShapeError(f"einsum: operand of shape {s} has fewer dims than "
                                 f"subscripts {t!r} name.")
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(s):
            raise ShapeError(f"einsum: subscripts {t!r} name {len(t)} dims but the operand "
                             f"has shape {s}.")
        labels.append(t)
    if explicit:
        out = out.replace("...", ell)
    else:
        counts = {}
        for t in labels:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return labels, out


def einsum_path(subscripts, *operands, optimize="greedy"):
    """NumPy's contraction order for these operands (from their shapes only)."""
    dummies = [np.broadcast_to(np.zeros((), np.float32), np.shape(o)) for o in operands]
    return np.einsum_path(subscripts, *dummies, optimize=optimize)


def _diagonal(x, labels):
    """x with repeated labels reduced to their diagonal (each label once)."""
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        i = labels.index(c)
        j = labels.index(c, i + 1)
        x = products.diagonal(x, 0, i, j)  # the diagonal becomes the last axis
        labels = "".join(l for k, l in enumerate(labels) if k not in (i, j)) + c
    return x, labels


def _sum_unneeded(x, labels, keep):
    axes = tuple(i for i, c in enumerate(labels) if c not in keep)
    if not axes:
        return x, labels
    return lax.reduce_sum(x, axes), "".join(c for c in labels if c in keep)


def einsum(subscripts, *operands, out=None, optimize="greedy", precision=None,
           preferred_element_type=None):
    """Einstein summation: einsum('ij,jk->ik', a, b) is a @ b.

    Supports '...' and implicit output (labels appearing once, in alphabetical order).
    Example: fnp.einsum('bij,bjk->bik', x, y).
    """
    if out is not None:
        raise NotImplementedError("fneedle arrays are immutable: einsum() takes no out=.")
    if not isinstance(subscripts, str):
        raise NotImplementedError("einsum with interleaved operand/sublist arguments is not "
                                  "supported; pass a subscripts string.")
    ops = promote(operands, "einsum", broadcast=False)
    labels, out_labels = _parse(subscripts, [o.shape for o in ops])
    # Sizes per label; size-1 dims broadcast against larger ones.
    sizes = {}
    for o, t in zip(ops, labels):
        for c, n in zip(t, o.shape):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ShapeError(f"einsum: label {c!r} has sizes {sizes[c]} and {n}.")
            sizes[c] = max(sizes.get(c, 1), n)
    work = []
    for o, t in zip(ops, labels):
        target = tuple(sizes[c] for c in t)
        if o.shape != target:
            o = lax.broadcast_in_dim(o, target, tuple(range(len(t))))
        o, t = _diagonal(o, t)
        work.append((o, t))
    path = [tuple(range(len(work)))]
    if len(work) > 2 and optimize:
        spec = ",".join(t for _, t in work) + "->" + out_labels
        path = einsum_path(spec, *[o for o, _ in work], optimize=optimize)[0][1:]
    for step in path:
        if len(step) == 1:
            continue
        picked = [work[i] for i in step]
        work = [w for i, w in enumerate(work) if i not in step]
        while len(picked) > 1:
            (a, ta), (b, tb) = picked[0], picked[1]
            others = out_labels + "".join(t for _, t in picked[2:]) + "".join(
                t for _, t in work)
            a, ta = _sum_unneeded(a, ta, others + tb)
            b, tb = _sum_unneeded(b, tb, others + ta)
            picked = [_contract(a, ta, b, tb, others, precision, preferred_element_type)] + \
                picked[2:]
        work.append(picked[0])
    if len(work) > 1:
        work = [_chain(work, out_labels, precision, preferred_element_type)]
    res, tr = work[0]
    res, tr = _sum_unneeded(res, tr, out_labels)
    return lax.transpose(res, tuple(tr.index(c) for c in out_labels))


def _chain(work, out_labels, precision, preferred):
    while len(work) > 1:
        (a, ta), (b, tb) = work[0], work[1]
        others = out_labels + "".join(t for _, t in work[2:])
        a, ta = _sum_unneeded(a, ta, others + tb)
        b, tb = _sum_unneeded(b, tb, others + ta)
        work = [_contract(a, ta, b, tb, others, precision, preferred)] + work[2:]
    return work[0]


def _contract(a, ta, b, tb, keep, precision, preferred):
    """One dot_general: shared labels still needed are batch dims, the rest contract."""
    shared = [c for c in ta if c in tb]
    batch = [c for c in shared if c in keep]
    contract = [c for c in shared if c not in keep]
    dn = ((tuple(ta.index(c) for c in contract), tuple(tb.index(c) for c in contract)),
          (tuple(ta.index(c) for c in batch), tuple(tb.index(c) for c in batch)))
    out = lax.dot_general(a, b, dn, precision, preferred)
    free_a = "".join(c for c in ta if c not in shared)
    free_b = "".join(c for c in tb if c not in shared)
    return out, "".join(batch) + free_a + free_b
