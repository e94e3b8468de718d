"""Drop-in fidelity, checked side by side with the real backoff 2.2.1 (installed beside the
package in the test venv): wait generators driven with send() however a user hands them over,
the default jitter drawing from Python's random module, the type of details['wait'], and
backoff's submodules."""

import asyncio
import functools
import random
from unittest import mock

import backoff as real_backoff
import pytest

import persevere_retry.backoff as backoff

assert real_backoff.__file__ != backoff.__file__, "the tests need the real backoff beside"


def run(library, wait_gen, failures, **decorator_args):
    """Decorates a function that raises ValueError `failures` times with `library`'s
    on_exception; returns (result, attempts, the waits slept, the on_backoff details' waits)."""
    attempts, sleeps, waits = [], [], []
    decorator_args.setdefault("jitter", None)
    decorator_args.setdefault("max_tries", 10)

    @library.on_exception(wait_gen, ValueError, on_backoff=lambda d: waits.append(d["wait"]),
                          **decorator_args)
    def target():
        attempts.append(1)
        if len(attempts) <= failures:
            raise ValueError("no")
        return "ok"

    with mock.patch("time.sleep", sleeps.append):
        result = target()
    return result, len(attempts), sleeps, waits


def typed(values):
    return [(type(v), v) for v in values]


# --- every wait generator works when driven with send(), in every form a user hands over ----

class Client:
    """singer-sdk's pattern: a method returns the generator the decorator drives."""

    def backoff_wait_generator(self):
        return backoff.constant(0)


FORMS = {
    "partial of constant": lambda lib: (functools.partial(lib.constant, interval=0), {}),
    "factory returning constant": lambda lib: (lambda: lib.constant(0), {}),
    "method returning constant": lambda lib: (Client().backoff_wait_generator, {}),
    "callable interval": lambda lib: (lib.constant, {"interval": lambda: 0.5}),
    "range interval": lambda lib: (lib.constant, {"interval": range(1, 5)}),
    "iterator interval": lambda lib: (lib.constant, {"interval": iter([3, 2, 1, 0])}),
    "generator interval": lambda lib: (lib.constant, {"interval": (n / 2 for n in range(4))}),
    "partial of expo": lambda lib: (functools.partial(lib.expo, factor=0.25), {}),
}

EXPECTED = {
    "partial of constant": [0, 0, 0],
    "factory returning constant": [0, 0, 0],
    "method returning constant": [0, 0, 0],
    "callable interval": [0.5, 0.5, 0.5],
    "range interval": [1, 2, 3],
    "iterator interval": [3, 2, 1],
    "generator interval": [0.0, 0.5, 1.0],
    "partial of expo": [0.25, 0.5, 1.0],
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_wait_generator_in_any_form_is_retried_three_times_as_backoff(form):
    wait_gen, kwargs = FORMS[form](backoff)
    ours = run(backoff, wait_gen, failures=3, **kwargs)
    wait_gen, kwargs = FORMS[form](real_backoff)
    theirs = run(real_backoff, wait_gen, failures=3, **kwargs)
    assert ours == ("ok", 4, EXPECTED[form], EXPECTED[form])
    assert typed(ours[2]) == typed(theirs[2]) and typed(ours[3]) == typed(theirs[3])


def test_partial_of_constant_interval_0_on_predicate_and_async():
    sleeps, values = [], iter([None, None, None, "done"])

    @backoff.on_predicate(functools.partial(backoff.constant, interval=0), jitter=None)
    async def poll():
        return next(values)

    async def asleep(seconds):
        sleeps.append(seconds)

    with mock.patch("asyncio.sleep", asleep):
        assert asyncio.run(poll()) == "done"
    assert sleeps == [0, 0, 0]


def test_an_exhausted_iterator_interval_gives_up_as_backoff():
    # Three waits, then StopIteration: backoff re-raises the last exception.
    for library in (backoff, real_backoff):
        with pytest.raises(ValueError):
            run(library, library.constant, failures=9, interval=iter([1, 2, 3]))


def test_constant_called_directly_accepts_send():
    gen = backoff.constant(interval=range(3))
    assert gen.send(None) is None
    assert [gen.send(ValueError("x")) for _ in range(3)] == [0, 1, 2]


# --- the default jitter draws from Python's random module --------------------------------------

@pytest.mark.parametrize("jitter", ["full_jitter", "random_jitter"])
@pytest.mark.parametrize("wait_gen", ["expo", "fibo", "constant"])
def test_random_seed_7_gives_backoffs_exact_waits(jitter, wait_gen):
    results = []
    for library in (backoff, real_backoff):
        random.seed(7)
        results.append(run(library, getattr(library, wait_gen), failures=5,
                           jitter=getattr(library, jitter)))
    ours, theirs = results
    assert ours == theirs
    assert len(ours[2]) == 5 and len(set(ours[2])) == 5


def test_random_seed_7_gives_backoffs_exact_waits_with_the_default_jitter():
    random.seed(7)
    first = run(backoff, backoff.expo, failures=4, jitter=backoff.full_jitter)
    random.seed(7)
    # The default (no jitter= given): as backoff's default, full_jitter.
    attempts, sleeps = [], []

    @backoff.on_exception(backoff.expo, ValueError)
    def target():
        attempts.append(1)
        if len(attempts) <= 4:
            raise ValueError("no")

    with mock.patch("time.sleep", sleeps.append):
        target()
    random.seed(7)
    expected = [random.uniform(0, cap) for cap in (1, 2, 4, 8)]
    assert sleeps == first[2] == expected


def test_patching_random_uniform_controls_the_default_jitter():
    for library in (backoff, real_backoff):
        with mock.patch("random.uniform", return_value=0.125) as uniform:
            result = run(library, library.expo, failures=3, jitter=library.full_jitter)
        assert result == ("ok", 4, [0.125] * 3, [0.125] * 3)
        assert uniform.call_args_list == [mock.call(0, 1), mock.call(0, 2), mock.call(0, 4)]
        assert [type(c.args[1]) for c in uniform.call_args_list] == [int, int, int]


def test_patching_random_random_controls_random_jitter():
    for library in (backoff, real_backoff):
        with mock.patch("random.random", return_value=0.5) as draw:
            result = run(library, library.constant, failures=2, interval=2,
                         jitter=library.random_jitter)
        assert result == ("ok", 3, [2.5, 2.5], [2.5, 2.5])
        assert draw.call_count == 2


# --- details['wait'] has backoff's type -----------------------------------------------------

def user_generator():
    yield
    yield 2
    yield 2.5
    yield 3


WAIT_TYPES = {
    "expo": ("expo", {}),
    "expo base 3": ("expo", {"base": 3}),
    "expo float factor": ("expo", {"factor": 0.5}),
    "expo int max_value": ("expo", {"max_value": 4}),
    "expo float max_value": ("expo", {"max_value": 4.0}),
    "fibo": ("fibo", {}),
    "fibo float max_value": ("fibo", {"max_value": 2.0}),
    "constant": ("constant", {}),
    "constant float": ("constant", {"interval": 2.0}),
    "constant int list": ("constant", {"interval": [1, 2, 3, 4]}),
    "constant float list": ("constant", {"interval": [1.0, 2.0, 3.0, 4.0]}),
    "constant mixed list": ("constant", {"interval": [1, 2.0, 3, 4.0]}),
    "runtime int": ("runtime", {"value": lambda e: 3}),
    "runtime float": ("runtime", {"value": lambda e: 3.0}),
    "user generator": (user_generator, {}),
}


@pytest.mark.parametrize("name", sorted(WAIT_TYPES))
def test_details_wait_and_sleep_have_backoffs_type_with_jitter_none(name):
    wait_gen, kwargs = WAIT_TYPES[name]
    ours_gen, theirs_gen = wait_gen, wait_gen
    if isinstance(wait_gen, str):
        ours_gen, theirs_gen = getattr(backoff, wait_gen), getattr(real_backoff, wait_gen)
    ours = run(backoff, ours_gen, failures=3, **kwargs)
    theirs = run(real_backoff, theirs_gen, failures=3, **kwargs)
    assert typed(ours[2]) == typed(theirs[2])
    assert typed(ours[3]) == typed(theirs[3])


def test_decay_waits_are_floats_and_an_int_min_value_stays_an_int():
    # backoff 2.2.1 has no decay; the fork yields initial_value * e ** -t, then min_value as is.
    # The core steps decay in whole nanoseconds: the floats agree to the nanosecond.
    waits = run(backoff, backoff.decay, failures=4, initial_value=4, min_value=1)[3]
    assert [type(w) for w in waits] == [float, float, int, int]
    assert waits == [4.0, pytest.approx(4 * 2.718281828459045 ** -1, abs=1e-9), 1, 1]


def test_details_wait_is_float_with_the_default_jitter():
    assert [type(w) for w in run(backoff, backoff.expo, failures=2,
                                 jitter=backoff.full_jitter)[3]] == [float, float]


def test_a_user_jitter_gets_ints_and_its_int_result_stays_an_int():
    seen = []

    def jitter(value):
        seen.append(value)
        return value * 3

    assert typed(run(backoff, backoff.expo, failures=3, jitter=jitter)[3]) == typed([3, 6, 12])
    assert typed(seen) == typed([1, 2, 4])


def test_a_wait_cut_to_max_time_is_a_float_as_backoffs(wall_clock):
    waits = []

    @backoff.on_exception(backoff.constant, ValueError, interval=5, max_time=7, jitter=None,
                          on_backoff=lambda d: waits.append(d["wait"]))
    def target():
        raise ValueError("no")

    with pytest.raises(ValueError):
        target()
    assert typed(waits) == typed([5, 2.0])


# --- backoff's submodules exist and behave as backoff's -----------------------------------------

SUBMODULES = ["_common", "_jitter", "_wait_gen", "_sync", "_async", "types", "_typing"]


@pytest.mark.parametrize("name", SUBMODULES)
def test_backoffs_submodules_exist(name):
    import importlib

    module = importlib.import_module(f"persevere_retry.backoff.{name}")
    assert getattr(backoff, name) is module


def test_common_helpers_behave_as_backoffs():
    from backoff import _common as theirs

    from persevere_retry.backoff import _common as ours

    for common, library in ((ours, backoff), (theirs, real_backoff)):
        gen = common._init_wait_gen(library.expo, {"factor": lambda: 3})
        assert [common._next_wait(gen, None, None, 0.0, None) for _ in range(3)] == [3, 6, 12]
        assert common._next_wait(gen, None, None, 9.5, 10) == 0.5
        with pytest.warns(DeprecationWarning):
            assert common._next_wait(gen, None, lambda: 1, 0.0, None) == 49
        assert common._maybe_call(lambda: 4) == 4
        assert common._maybe_call(lambda x: x)(5) == 5
        assert common._maybe_call(6) == 6
        assert common._prepare_logger("backoff") is common._logger
        handlers = common._config_handlers([print], default_handler=common._log_backoff,
                                           logger=common._logger, log_level=20)
        assert len(handlers) == 2 and handlers[1] is print
