"""The default handlers log backoff's messages at backoff's levels, on the logger given by
name or object, or not at all with logger=None."""

import logging

import pytest

import persevere_retry.backoff as backoff


def test_messages_and_levels_of_on_exception(sleeps, caplog):
    @backoff.on_exception(backoff.expo, KeyError, max_tries=3, jitter=None)
    def lookup():
        raise KeyError("k")

    with caplog.at_level(logging.INFO, logger="backoff"):
        with pytest.raises(KeyError):
            lookup()
    assert caplog.record_tuples == [
        ("backoff", logging.INFO, "Backing off lookup(...) for 1.0s (KeyError: 'k')"),
        ("backoff", logging.INFO, "Backing off lookup(...) for 2.0s (KeyError: 'k')"),
        ("backoff", logging.ERROR, "Giving up lookup(...) after 3 tries (KeyError: 'k')"),
    ]


def test_on_predicate_logs_the_value(sleeps, caplog):
    @backoff.on_predicate(backoff.constant, max_tries=2, interval=0.25, jitter=None)
    def poll():
        return []

    with caplog.at_level(logging.INFO, logger="backoff"):
        poll()
    assert [m for _, _, m in caplog.record_tuples] == [
        "Backing off poll(...) for 0.2s ([])",
        "Giving up poll(...) after 2 tries ([])",
    ]


def test_levels_and_logger_objects_are_honoured(sleeps, caplog):
    mine = logging.getLogger("mine")

    @backoff.on_predicate(backoff.constant, max_tries=2, interval=0, logger=mine,
                          backoff_log_level=logging.DEBUG, giveup_log_level=logging.WARNING)
    def poll():
        return None

    with caplog.at_level(logging.DEBUG):
        poll()
    assert [(n, lvl) for n, lvl, _ in caplog.record_tuples] == [
        ("mine", logging.DEBUG), ("mine", logging.WARNING)]


def test_a_logger_name_and_none(sleeps, caplog):
    @backoff.on_predicate(backoff.constant, max_tries=2, interval=0, logger="named")
    def named():
        return None

    @backoff.on_predicate(backoff.constant, max_tries=2, interval=0, logger=None)
    def silent():
        return None

    with caplog.at_level(logging.INFO):
        named()
        silent()
    assert {n for n, _, _ in caplog.record_tuples} == {"named"}
    assert len(caplog.records) == 2


def test_one_decorator_on_two_functions_logs_once_per_event(sleeps, caplog):
    # backoff 2.2.1 adds its log handler again at each decoration (two records per event
    # for the second function); persevere_retry.backoff logs each event once.
    retry = backoff.on_predicate(backoff.constant, max_tries=2, interval=0)

    @retry
    def first():
        return False

    @retry
    def second():
        return False

    with caplog.at_level(logging.INFO, logger="backoff"):
        second()
    assert [m for _, _, m in caplog.record_tuples] == [
        "Backing off second(...) for 0.0s (False)",
        "Giving up second(...) after 2 tries (False)",
    ]


def test_an_exhausted_predicate_strategy_reports_the_value(sleeps, caplog):
    giveups = []

    @backoff.on_predicate(backoff.constant, interval=[0], on_giveup=giveups.append)
    def poll():
        return 0

    with caplog.at_level(logging.INFO, logger="backoff"):
        assert poll() == 0
    assert giveups[0]["value"] == 0
    assert caplog.record_tuples[-1] == (
        "backoff", logging.ERROR, "Giving up poll(...) after 2 tries (0)")


# --- records nobody would receive are not built (backoff's default set-up) ------------------

def count_records(monkeypatch):
    # pytest's own capturing handlers on the root logger would receive every record: without
    # them, the root has none, as in a program that did not configure logging.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    made = []
    original = logging.Logger.makeRecord

    def make_record(self, *args, **kwargs):
        made.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(logging.Logger, "makeRecord", make_record)
    return made


def three_failures_then_giveup(logger="backoff"):
    @backoff.on_exception(backoff.constant, ValueError, interval=0, max_tries=4, logger=logger)
    def f():
        raise ValueError("no")

    with pytest.raises(ValueError):
        f()


def test_with_only_the_null_handler_no_record_is_built(sleeps, monkeypatch):
    made = count_records(monkeypatch)
    three_failures_then_giveup()
    assert made == []


def test_a_real_handler_gets_every_record(sleeps, monkeypatch):
    made = count_records(monkeypatch)
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    try:
        three_failures_then_giveup()
    finally:
        logging.getLogger().removeHandler(handler)
    assert made == ["backoff"] * 4
    assert seen == ["Backing off f(...) for 0.0s (ValueError: no)"] * 3 + [
        "Giving up f(...) after 4 tries (ValueError: no)"]


def test_a_logger_without_handlers_falls_back_on_last_resort(sleeps, capsys):
    lonely = logging.getLogger("persevere-test-lonely")
    lonely.propagate = False
    three_failures_then_giveup(logger=lonely)
    # INFO records are below lastResort's WARNING; the give-up at ERROR goes to stderr.
    assert capsys.readouterr().err == "Giving up f(...) after 4 tries (ValueError: no)\n"


def test_a_filter_on_the_logger_sees_every_record(sleeps):
    seen = []
    logger = logging.getLogger("backoff")
    logger.addFilter(lambda record: seen.append(record.levelname) or False)
    try:
        three_failures_then_giveup()
    finally:
        logger.filters.clear()
    assert seen == ["INFO"] * 3 + ["ERROR"]
