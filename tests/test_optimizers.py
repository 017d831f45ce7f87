"""Optimizers: one step against its closed form, schedules, dtypes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

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
