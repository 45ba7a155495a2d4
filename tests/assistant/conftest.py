"""The assistant's tests run against the local model server (`model_server.py`), with the
server's `LLM_*` settings pointing at it for the test's duration."""

from __future__ import annotations

import pytest

from tests.assistant.helpers import API_KEY
from tests.assistant.model_server import ModelServer


@pytest.fixture(scope="session")
def model_server():
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def model(model_server, settings_env):
    """The model server, scripted by the test, configured as the server's model."""
    model_server.script()
    model_server.responder = None
    settings_env(
        LLM_BASE_URL=model_server.base_url,
        LLM_API_KEY=API_KEY,
        LLM_MODEL="test-model",
        LLM_TIMEOUT_SECONDS="5",
        LLM_MAX_RETRIES="1",
        OUTBOUND_ALLOW_HOSTS="127.0.0.1",  # the model server is local: allowed, as for a self-hosted model
    )
    yield model_server
    model_server.script()
    model_server.responder = None
