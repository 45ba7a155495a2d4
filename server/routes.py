"""Every controller of the API, in one list the app (and the codegen) read."""

from server.assets.controller import AssetController
from server.assistant.controller import AssistantController
from server.connections.controller import ConnectionController
from server.missions.controller import HopController, MissionController, ToolStepController
from server.sessions.controller import SessionController
from server.tools.controller import ToolController
from server.users.controller import AuthController
from server.workflow.controller import TRANSITION_CONTROLLERS
from server.workflow.events_controller import EventController
from server.workflow.templates_controller import MissionTemplateController

CONTROLLERS = [
    AuthController,
    SessionController,
    MissionController,
    HopController,
    ToolStepController,
    AssetController,
    ConnectionController,
    *TRANSITION_CONTROLLERS,
    MissionTemplateController,
    AssistantController,
    ToolController,
    EventController,
]
