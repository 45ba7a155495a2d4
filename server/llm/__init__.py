"""Language models: the one provider module (`provider`) the assistant and the tools' model
mode share, and token estimates (`tokens`). Imports nothing of the server but its settings."""

from server.llm.provider import (
    Failure,
    Finished,
    FunctionCall,
    LanguageModel,
    Message,
    ModelConfig,
    ModelError,
    StreamPart,
    TextDelta,
    close_models,
    language_model,
)
from server.llm.tokens import estimate_tokens, message_tokens, total_tokens

__all__ = [
    "Failure",
    "Finished",
    "FunctionCall",
    "LanguageModel",
    "Message",
    "ModelConfig",
    "ModelError",
    "StreamPart",
    "TextDelta",
    "close_models",
    "estimate_tokens",
    "language_model",
    "message_tokens",
    "total_tokens",
]
