import pytest

from tests.tools.local_http import local_http_server, loopback_allowed


@pytest.fixture(scope="session")
def web():
    """Base URL of a local HTTP server with pages, a search endpoint and a chat endpoint."""
    with local_http_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def eutils():
    """Base URL of a local NCBI E-utilities server; `PUBMED_BASE_URL` points there meanwhile."""
    import os

    from server.settings import get_settings
    from tests.tools.eutils import eutilities_server

    with eutilities_server() as base_url, loopback_allowed():
        saved = os.environ.get("PUBMED_BASE_URL")
        os.environ["PUBMED_BASE_URL"] = base_url
        get_settings.cache_clear()
        try:
            yield base_url
        finally:
            if saved is None:
                os.environ.pop("PUBMED_BASE_URL", None)
            else:
                os.environ["PUBMED_BASE_URL"] = saved
            get_settings.cache_clear()
