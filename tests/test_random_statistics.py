"""Statistical sanity of the fneedle.random samplers with fixed keys: the thresholds are 5
or more standard errors and the keys never change, so these tests are deterministic."""

import math

import numpy as np
import pytest
import scipy.special

import fneedle.random as fr
from tests.random_checks import K, a, key_of

N = 100_000


def ks_statistic(sample, cdf):
    x = np.sort(np.asarray(sample, np.float64))
    f = cdf(x)
    n = len(x)
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


def assert_mean_var(x, mean, var, sigmas=5.0):
    x = np.asarray(x, np.float64)
    n = x.size
    assert abs(x.mean() - mean) < sigmas * math.sqrt(var / n), (x.mean(), mean)
    m4 = np.mean((x - mean) ** 4)
    assert abs(x.var() - var) < sigmas * math.sqrt(max(m4 - var ** 2, 1e-12) / n), (x.var(), var)


def test_uniform_statistics():
    x = a(fr.uniform(key_of(11), (N,)))
    assert_mean_var(x, 0.5, 1 / 12)
    assert ks_statistic(x, lambda t: t) < 1.63 / math.sqrt(N)  # 1% level
    y = a(fr.uniform(key_of(11), (N,), minval=-2.0, maxval=6.0))
    assert y.min() >= -2.0 and y.max() < 6.0
    assert_mean_var(y, 2.0, 64 / 12)


def test_normal_statistics():
    x = a(fr.normal(key_of(12), (N,)))
    assert_mean_var(x, 0.0, 1.0)
    assert ks_statistic(x, scipy.special.ndtr) < 1.63 / math.sqrt(N)
    x64 = a(fr.normal(key_of(13), (N,), "float64"))
    assert ks_statistic(x64, scipy.special.ndtr) < 1.63 / math.sqrt(N)


def test_split_streams_are_uncorrelated():
    k1, k2 = a(fr.split(key_of(14)))
    x = a(fr.normal(fr.wrap_key_data(k1), (N,)))
    y = a(fr.normal(fr.wrap_key_data(k2), (N,)))
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / math.sqrt(N)
    z = a(fr.normal(fr.fold_in(key_of(14), 1), (N,)))  # == split(key)[1]
    np.testing.assert_array_equal(z, y)
    # Neighbouring counters within one stream are uncorrelated too.
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 5 / math.sqrt(N)


def test_truncated_normal_statistics():
    lo, hi = -0.5, 2.0
    x = a(fr.truncated_normal(key_of(15), lo, hi, (N,)))
    assert x.min() > lo and x.max() < hi
    z = scipy.special.ndtr(hi) - scipy.special.ndtr(lo)
    cdf = lambda t: (scipy.special.ndtr(t) - scipy.special.ndtr(lo)) / z
    assert ks_statistic(x, cdf) < 1.63 / math.sqrt(N)
    lows = np.array([-3.0, 0.0, 1.0], np.float32)
    y = a(fr.truncated_normal(key_of(16), lows, 4.0, (1000, 3)))
    assert (y > lows).all() and (y < 4.0).all()


def test_bernoulli_statistics():
    for p, mode in [(0.3, "low"), (0.01, "high")]:
        x = a(fr.bernoulli(key_of(17), p, (N,), mode=mode))
        assert abs(x.mean() - p) < 5 * math.sqrt(p * (1 - p) / N)
    assert not a(fr.bernoulli(K, 0.0, (1000,))).any()
    assert a(fr.bernoulli(K, 1.0, (1000,))).all()


def test_randint_is_uniform():
    x = a(fr.randint(key_of(18), (N,), -3, 7))
    counts = np.bincount(x + 3, minlength=10)
    chi2 = ((counts - N / 10) ** 2 / (N / 10)).sum()
    assert chi2 < 27.9  # 9 degrees of freedom, 0.1% level


@pytest.mark.parametrize("name,sample,mean,var", [
    ("exponential", lambda k: fr.exponential(k, (N,)), 1.0, 1.0),
    ("laplace", lambda k: fr.laplace(k, (N,)), 0.0, 2.0),
    ("logistic", lambda k: fr.logistic(k, (N,)), 0.0, math.pi ** 2 / 3),
    ("gumbel", lambda k: fr.gumbel(k, (N,)), 0.5772156649, math.pi ** 2 / 6),
    ("gumbel_high", lambda k: fr.gumbel(k, (N,), mode="high"), 0.5772156649, math.pi ** 2 / 6),
])
def test_one_uniform_samplers_statistics(name, sample, mean, var):
    assert_mean_var(a(sample(key_of(19))), mean, var)


def test_cauchy_quartiles():
    x = a(fr.cauchy(key_of(20), (N,)))
    q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    se = 5 * math.sqrt(0.25 * 0.75 / N) * math.pi * 2  # quantile error of a density 1/(2 pi)
    assert abs(q1 + 1) < se and abs(q2) < se and abs(q3 - 1) < se


@pytest.mark.parametrize("alpha", [0.1, 0.6, 1.0, 2.5, 30.0])
def test_gamma_statistics(alpha):
    x = a(fr.gamma(key_of(21), alpha, (N // 2,)))
    assert (x >= 0).all()
    assert_mean_var(x, alpha, alpha)
    cdf = lambda t: scipy.special.gammainc(alpha, t)
    assert ks_statistic(x, cdf) < 1.63 / math.sqrt(N // 2)
    logx = a(fr.loggamma(key_of(21), alpha, (N // 2,)))
    np.testing.assert_allclose(np.exp(logx.astype(np.float64)), x, rtol=2e-5, atol=1e-30)


def test_gamma_array_parameters():
    alphas = np.array([[0.5], [4.0]], np.float32)
    x = a(fr.gamma(key_of(22), alphas, (2, N // 4)))
    assert_mean_var(x[0], 0.5, 0.5)
    assert_mean_var(x[1], 4.0, 4.0)


def test_beta_and_dirichlet_statistics():
    x = a(fr.beta(key_of(23), 2.0, 5.0, (N // 2,)))
    assert ((x >= 0) & (x <= 1)).all()
    assert_mean_var(x, 2 / 7, 2 * 5 / (49 * 8))
    alpha = np.array([0.5, 1.0, 3.0], np.float32)
    d = a(fr.dirichlet(key_of(24), alpha, (N // 4,)))
    assert d.shape == (N // 4, 3)
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-5)
    a0 = alpha.sum()
    for i in range(3):
        m = alpha[i] / a0
        assert_mean_var(d[:, i], m, m * (1 - m) / (a0 + 1))
    tiny = a(fr.dirichlet(key_of(25), np.full(4, 0.01, np.float32), (100,)))
    assert np.isfinite(tiny).all()  # log-space gammas keep tiny alphas from 0/0


def test_multivariate_normal_statistics():
    mean = np.array([1.0, -2.0, 0.5], np.float32)
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]], np.float32)
    x = a(fr.multivariate_normal(key_of(26), mean, cov, (N,))).astype(np.float64)
    assert x.shape == (N, 3)
    np.testing.assert_allclose(x.mean(0), mean, atol=5 * math.sqrt(2.0 / N))
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.03)
    batch = fr.multivariate_normal(K, np.zeros((4, 3), np.float32), cov)
    assert batch.shape == (4, 3)


@pytest.mark.filterwarnings("ignore:divide by zero")  # log(p) of p == 0
def test_permutation_and_choice():
    p = a(fr.permutation(key_of(27), 1000))
    np.testing.assert_array_equal(np.sort(p), np.arange(1000))
    assert not np.array_equal(p, np.arange(1000))
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    rows = a(fr.permutation(K, x))
    np.testing.assert_array_equal(np.sort(rows[:, 0]), x[:, 0])
    np.testing.assert_array_equal(rows[:, 1:] - rows[:, :1], x[:, 1:] - x[:, :1])
    ind = a(fr.permutation(K, x, axis=1, independent=True))
    np.testing.assert_array_equal(np.sort(ind, axis=1), x)
    c = a(fr.choice(key_of(28), 50, (20,), replace=False))
    assert len(set(c.tolist())) == 20 and c.min() >= 0 and c.max() < 50
    probs = np.array([0.1, 0.0, 0.6, 0.3], np.float32)
    draws = a(fr.choice(key_of(29), 4, (N,), p=probs))
    freq = np.bincount(draws, minlength=4) / N
    np.testing.assert_allclose(freq, probs, atol=5 * math.sqrt(0.25 / N))
    top = a(fr.choice(key_of(30), 4, (3,), replace=False, p=probs))
    assert 1 not in top.tolist() and len(set(top.tolist())) == 3
    cols = fr.choice(K, x, (2, 5), axis=1)
    assert cols.shape == (4, 2, 5)


def test_categorical_statistics():
    probs = np.array([0.5, 0.3, 0.15, 0.05], np.float32)
    logits = np.log(probs)
    draws = a(fr.categorical(key_of(31), logits, shape=(N,)))
    freq = np.bincount(draws, minlength=4) / N
    np.testing.assert_allclose(freq, probs, atol=5 * math.sqrt(0.25 / N))
    batch = np.log(np.array([[0.9, 0.1], [0.1, 0.9]], np.float32))
    rows = a(fr.categorical(key_of(32), batch, axis=1, shape=(N // 10, 2)))
    assert abs(rows[:, 0].mean() - 0.1) < 0.02 and abs(rows[:, 1].mean() - 0.9) < 0.02
    picks = a(fr.categorical(K, np.zeros((3, 6), np.float32), shape=(6, 3), replace=False))
    for j in range(3):
        assert sorted(picks[:, j].tolist()) == list(range(6))
