"""The chat assistant (docs/assistant.md): it designs with the user, in the chat, through any
OpenAI-compatible model, and acts only by proposing through the transition service.

`stages` says who the assistant is at each state of the session's mission and what it may
propose; `context` builds what the model sees; `functions` declares the functions offered
to the model (their parameters generated from the proposal Structs) and performs the calls;
`turn` runs one turn (the model's streamed answer, function calls, retries, failures);
`runner` makes sure one turn at a time runs per session, across server processes, and can be
cancelled; `service` and `controller` are the API."""
