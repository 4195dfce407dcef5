"""The served worker's access log masks personnummer (`marketplace.kernel.access_log`); the
real server's log is checked in test_cli.py's serve test."""

from __future__ import annotations

import logging

import pytest

from marketplace.kernel import access_log


@pytest.mark.parametrize(
    "path",
    [
        "/platser?q=19850101-1234",
        "/platser?q=198501011234",
        "/platser?q=850101-1234",
        "/platser?q=8501011234",
        "/platser?q=850101%2B1234",
        "/arbetsbord/sok?q=lager+19850161-1234",  # a samordningsnummer
    ],
)
def test_a_personnummer_in_a_logged_path_is_masked(path: str) -> None:
    masked = access_log.mask(path)
    assert "[personnummer]" in masked
    assert not any(run in masked for run in ("1234", "850101", "850161"))


def test_other_numbers_are_left_alone() -> None:
    for path in ("/platser/123", "/platser?sida=2", "/bokningar/4711", "/x?postnr=44731"):
        assert access_log.mask(path) == path
    # Not a part of a longer number (an id of 13 digits is no personnummer).
    assert access_log.mask("/x/1234567890123") == "/x/1234567890123"


def test_the_filter_masks_uvicorns_access_record_and_is_installed_once() -> None:
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    before = list(logger.filters)
    try:
        access_log.install()
        access_log.install()
        masks = [f for f in logger.filters if isinstance(f, access_log.MaskPersonnummer)]
        assert len(masks) == 1
        # The record as uvicorn's access logger makes it.
        record = logging.LogRecord(
            access_log.ACCESS_LOGGER,
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", "/platser?q=19850101-1234", "1.1", 200),
            None,
        )
        assert masks[0].filter(record)
        assert record.getMessage() == (
            '127.0.0.1:5000 - "GET /platser?q=[personnummer] HTTP/1.1" 200'
        )
    finally:
        logger.filters[:] = before


def test_a_record_without_arguments_is_masked_in_its_message() -> None:
    record = logging.LogRecord(
        access_log.ACCESS_LOGGER, logging.INFO, __file__, 1, "GET /x?q=8501011234", None, None
    )
    assert access_log.MaskPersonnummer().filter(record)
    assert record.getMessage() == "GET /x?q=[personnummer]"


def test_a_record_of_another_shape_passes_unchanged() -> None:
    problem = ValueError("19850101-1234")  # a message that is no string: left as it is
    record = logging.LogRecord(
        access_log.ACCESS_LOGGER, logging.INFO, __file__, 1, problem, None, None
    )
    assert access_log.MaskPersonnummer().filter(record) and record.msg is problem


def test_the_served_app_installs_the_mask() -> None:
    from litestar import Litestar

    from marketplace.app import serve_app

    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    before = list(logger.filters)
    try:
        logger.filters[:] = [f for f in before if not isinstance(f, access_log.MaskPersonnummer)]
        assert isinstance(serve_app(), Litestar)
        assert any(isinstance(f, access_log.MaskPersonnummer) for f in logger.filters)
    finally:
        logger.filters[:] = before
