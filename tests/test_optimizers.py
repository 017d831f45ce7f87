"""Optimizers: one step against its closed form, schedules, dtypes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skmlp_numpy import _blockwise
from skmlp_numpy._optimizers import SGD, Adam

PARAMS = np.array([1.0, -2.0, 0.5])
GRADS = np.array([0.3, -0.1, 2.0])


def test_plain_sgd_step():
    params = PARAMS.copy()
    SGD(params, learning_rate_init=0.1, momentum=0.0).step(params, GRADS)
    assert_allclose(params, PARAMS - 0.1 * GRADS)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps(nesterov):
    lr, mu = 0.1, 0.9
    params = PARAMS.copy()
    opt = SGD(params, learning_rate_init=lr, momentum=mu, nesterovs_momentum=nesterov)
    opt.step(params, GRADS)
    opt.step(params, GRADS)
    v1 = -lr * GRADS
    v2 = mu * v1 - lr * GRADS
    if nesterov:
        expected = PARAMS + (mu * v1 - lr * GRADS) + (mu * v2 - lr * GRADS)
    else:
        expected = PARAMS + v1 + v2
    assert_allclose(params, expected)
    assert_allclose(opt.velocity, v2)


def test_adam_step():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    params = PARAMS.copy()
    opt = Adam(params, learning_rate_init=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    opt.step(params, GRADS)
    opt.step(params, 2 * GRADS)
    m = b1 * (1 - b1) * GRADS + (1 - b1) * 2 * GRADS
    v = b2 * (1 - b2) * GRADS**2 + (1 - b2) * 4 * GRADS**2
    lr_1 = lr * np.sqrt(1 - b2) / (1 - b1)
    lr_2 = lr * np.sqrt(1 - b2**2) / (1 - b1**2)
    first = -lr_1 * GRADS * (1 - b1) / (np.sqrt((1 - b2) * GRADS**2) + eps)
    expected = PARAMS + first - lr_2 * m / (np.sqrt(v) + eps)
    assert_allclose(params, expected)
    assert opt.t == 2


@pytest.mark.parametrize("make", [lambda p: SGD(p, momentum=0.9), lambda p: Adam(p)])
def test_float32_stays_float32(make):
    params = PARAMS.astype(np.float32)
    opt = make(params)
    for _ in range(3):
        opt.step(params, GRADS.astype(np.float32))
    assert params.dtype == np.float32
    state = [opt.velocity] if isinstance(opt, SGD) else [opt.m, opt.v]
    assert all(s.dtype == np.float32 for s in state)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGD(p, momentum=0.0),
        lambda p: SGD(p, momentum=0.9),
        lambda p: SGD(p, momentum=0.9, nesterovs_momentum=False),
        lambda p: Adam(p),
    ],
    ids=["sgd", "momentum", "classical-momentum", "adam"],
)
@pytest.mark.parametrize("shape", [(2 * _blockwise.BLOCK + 7,), (1000, 150)])
def test_a_step_in_blocks_equals_the_step_on_whole_arrays(make, shape, monkeypatch):
    # Steps work a block at a time, so that their scratch is a block and
    # not a copy of the parameters: the numbers are the same, bit for bit,
    # as with one block as large as the arrays (2 blocks and a bit; rows).
    rng = np.random.RandomState(0)
    start = rng.normal(size=shape)
    grads = [rng.normal(size=shape) for _ in range(3)]
    results = []
    for block in (_blockwise.BLOCK, start.size):
        monkeypatch.setattr(_blockwise, "BLOCK", block)
        params = start.copy()
        opt = make(params)
        for g in grads:
            opt.step(params, g)
        assert opt._work.size <= block
        results.append(params)
    assert_array_equal(results[0], results[1])


def test_invscaling_schedule():
    opt = SGD(PARAMS, learning_rate_init=0.5, learning_rate="invscaling", power_t=0.5)
    opt.end_epoch(99)
    assert opt.learning_rate == pytest.approx(0.5 / 100**0.5)


def test_adaptive_schedule_divides_by_five_then_stops():
    opt = SGD(PARAMS, learning_rate_init=1e-5, learning_rate="adaptive")
    assert opt.on_plateau() is False
    assert opt.learning_rate == pytest.approx(2e-6)
    assert opt.on_plateau() is False
    assert opt.learning_rate <= 1e-6
    assert opt.on_plateau() is True


@pytest.mark.parametrize("opt", [SGD(PARAMS), Adam(PARAMS)])
def test_constant_schedules_stop_on_plateau(opt):
    lr = opt.learning_rate
    opt.end_epoch(1000)
    assert opt.learning_rate == lr
    assert opt.on_plateau() is True


def _cosine_closed_form(rate, s, n_steps, n_warmup):
    """The rate of step ``s`` of a cycle of ``n_steps``, ``n_warmup`` warming up."""
    if s < n_warmup:
        return rate * (s + 1) / n_warmup
    return rate * (1 + np.cos(np.pi * (s - n_warmup) / (n_steps - n_warmup))) / 2


def _cosine_rates(opt, n_epochs, n_batches):
    """The rate of every step of ``n_epochs`` epochs of ``n_batches`` steps."""
    rates = []
    params = PARAMS.copy()
    for _ in range(n_epochs):
        opt.begin_epoch(n_batches)
        for _ in range(n_batches):
            opt.step(params, GRADS)
            rates.append(opt.learning_rate)
        opt.end_epoch(0)
    return np.array(rates)


@pytest.mark.parametrize("warmup_fraction, n_warmup", [(0.0, 0), (0.25, 6)])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_cosine_schedule_follows_its_closed_form_step_by_step(
    solver, warmup_fraction, n_warmup
):
    # 6 epochs of 4 steps: a cycle of 24 steps, the first 6 warming up.
    lr, b1, b2 = 0.1, 0.9, 0.999
    common = dict(
        learning_rate_init=lr,
        learning_rate="cosine",
        warmup_fraction=warmup_fraction,
        schedule_epochs=6,
    )
    if solver == "sgd":
        opt = SGD(PARAMS, momentum=0.0, **common)
    else:
        opt = Adam(PARAMS, beta_1=b1, beta_2=b2, **common)
    rates = _cosine_rates(opt, 6, 4)
    expected = np.array([_cosine_closed_form(lr, s, 24, n_warmup) for s in range(24)])
    if solver == "adam":
        # The scheduled rate replaces learning_rate_init in Adam's bias-corrected
        # step size.
        t = np.arange(1, 25)
        expected *= np.sqrt(1 - b2**t) / (1 - b1**t)
    assert_allclose(rates, expected, rtol=1e-12)
    if n_warmup:
        assert rates[0] < rates[n_warmup - 1]  # warm-up: rising from lr / 6
    assert rates[-1] > 0  # the cycle ends just above 0


def test_cosine_step_is_an_sgd_step_at_the_scheduled_rate():
    params = PARAMS.copy()
    opt = SGD(params, learning_rate_init=0.1, momentum=0.0, learning_rate="cosine")
    opt.schedule_epochs = 2
    opt.begin_epoch(3)
    opt.step(params, GRADS)
    opt.step(params, GRADS)
    second = 0.1 * (1 + np.cos(np.pi / 6)) / 2
    assert_allclose(params, PARAMS - 0.1 * GRADS - second * GRADS)


@pytest.mark.parametrize("make", [SGD, Adam])
def test_cosine_cycle_restarts_after_its_last_epoch(make):
    opt = make(PARAMS, learning_rate="cosine", schedule_epochs=2)
    rates = _cosine_rates(opt, 4, 3)
    if make is Adam:  # the bias correction goes on with Adam's step count
        t = np.arange(1, 13)
        rates *= (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert_allclose(rates[6:], rates[:6], rtol=1e-12)
    assert rates[6] == pytest.approx(opt.learning_rate_init)
    assert rates[5] < rates[6]
    assert opt.cycle_epoch == 2


def test_cosine_cycle_is_paced_by_each_epochs_own_steps():
    # partial_fit chunks may differ in size: an epoch of 2 steps then one of
    # 4 cover one half of the 2-epoch cycle each.
    opt = SGD(PARAMS, learning_rate_init=1.0, learning_rate="cosine", momentum=0.0)
    opt.schedule_epochs = 2
    rates = np.concatenate([_cosine_rates(opt, 1, 2), _cosine_rates(opt, 1, 4)])
    positions = np.array([0, 1 / 4, 1 / 2, 5 / 8, 3 / 4, 7 / 8])
    assert_allclose(rates, (1 + np.cos(np.pi * positions)) / 2, rtol=1e-12)


@pytest.mark.parametrize("make", [SGD, Adam])
def test_cosine_schedule_stops_on_plateau(make):
    opt = make(PARAMS, learning_rate="cosine")
    assert opt.on_plateau() is True


@pytest.mark.parametrize("warm", ["constant", "invscaling", "adaptive"])
def test_adam_ignores_the_schedules_of_sgd(warm):
    params, reference = PARAMS.copy(), PARAMS.copy()
    opt, plain = Adam(params, learning_rate=warm), Adam(reference)
    for p, o in [(params, opt), (reference, plain)]:
        o.begin_epoch(1)
        o.step(p, GRADS)
        o.end_epoch(100)
    assert_array_equal(params, reference)


def test_switching_to_cosine_starts_a_cycle_and_back_restores_the_rate():
    opt = SGD(PARAMS, learning_rate_init=0.1, momentum=0.0)
    hyper = dict(
        learning_rate_init=0.1,
        momentum=0.0,
        nesterovs_momentum=True,
        power_t=0.5,
        warmup_fraction=0.0,
        schedule_epochs=4,
    )
    opt.set_hyperparameters(learning_rate="cosine", **hyper)
    rates = _cosine_rates(opt, 3, 2)
    assert rates[0] == 0.1 and opt.cycle_epoch == 3
    opt.set_hyperparameters(learning_rate="constant", **hyper)
    assert opt.learning_rate == 0.1
    opt.set_hyperparameters(learning_rate="cosine", **hyper)
    assert opt.cycle_epoch == 0
