"""The served worker's access log masks personnummer (`marketplace.kernel.access_log`); the
real server's log is checked in test_cli.py's serve test."""

from __future__ import annotations

import logging

import pytest

from marketplace.kernel import access_log


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/x?personnummer=19850101-1234",
        "/api/v1/x?personnummer=198501011234",
        "/api/v1/x?personnummer=850101-1234",
        "/api/v1/x?personnummer=8501011234",
        "/api/v1/x?personnummer=850101%2B1234",
        "/api/v1/x?personnummer=19850161-1234",  # a samordningsnummer
        # As scripts and integrations encode them: a space as %20 or "+", a Unicode minus,
        # spaces between the date's groups; in the path too.
        "/api/v1/x?personnummer=19850101%201234",
        "/api/v1/x?personnummer=850101%20-%201234",
        "/api/v1/x?personnummer=850101%E2%88%921234",
        "/api/v1/x?personnummer=1985+01+01-1234",
        "/api/v1/candidates/19850101-1234",
    ],
)
def test_a_personnummer_in_a_logged_path_is_masked(path: str) -> None:
    masked = access_log.mask(path)
    assert "[personnummer]" in masked, masked
    assert not any(run in masked for run in ("1234", "850101", "850161")), masked


@pytest.mark.parametrize(
    "path",
    [
        "/platser?q=19850101%201234",
        "/platser?q=Hanna+Nystr%C3%B6m&sida=2",
        "/arbetsbord/platser?q=lager&town=Alings%C3%A5s",
        "/platser/12?fran=q%3DFatima%2BOsman%26sida%3D3",
    ],
)
def test_the_search_words_are_not_logged(path: str) -> None:
    # A name typed into a search box is no personnummer, but no business of the log either:
    # the search log keeps the words a search used, without names.
    masked = access_log.mask(path)
    assert "[text]" in masked
    for word in ("Hanna", "Nystr", "lager", "Fatima", "1234"):
        assert word not in masked, masked
    assert "sida=2" in masked or "sida=2" not in path
    assert "town=Alings%C3%A5s" in masked or "town" not in path  # a place is no person


def test_a_link_token_in_a_path_is_not_logged() -> None:
    token = "eyJzIjoxNSwibiI6IjNmMmEifQ.ZyX1a2b3c4d5e6f7g8h9i0jKLMNOP"
    assert access_log.mask(f"/underteckna/{token}") == "/underteckna/[token]"
    assert access_log.mask(f"/narvaro/{token}?vecka=2026-W49") == "/narvaro/[token]?vecka=2026-W49"


def test_other_numbers_are_left_alone() -> None:
    for path in ("/platser/123", "/platser?sida=2", "/bokningar/4711", "/x?postnr=44731"):
        assert access_log.mask(path) == path
    # Not a part of a longer number (an id of 13 digits is no personnummer).
    assert access_log.mask("/x/1234567890123") == "/x/1234567890123"
    for part in ("127.0.0.1:5000", "GET", "1.1"):  # uvicorn's other arguments
        assert access_log.mask(part) == part


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
            ("127.0.0.1:5000", "GET", "/api/v1/x?pnr=19850101-1234&q=lager", "1.1", 200),
            None,
        )
        assert masks[0].filter(record)
        assert record.getMessage() == (
            '127.0.0.1:5000 - "GET /api/v1/x?pnr=[personnummer]&q=[text] HTTP/1.1" 200'
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
