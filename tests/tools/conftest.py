import pytest

from tests.tools.local_http import local_http_server


@pytest.fixture(scope="session")
def web():
    """Base URL of a local HTTP server with pages, a search endpoint and a chat endpoint."""
    with local_http_server() as base_url:
        yield base_url
