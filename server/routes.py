"""Every controller of the API, in one list the app (and the codegen) read."""

from server.assets.controller import AssetController
from server.missions.controller import HopController, MissionController, ToolStepController
from server.sessions.controller import SessionController
from server.users.controller import AuthController

CONTROLLERS = [AuthController, SessionController, MissionController, HopController, ToolStepController, AssetController]

from server.workflow.controller import TRANSITION_CONTROLLERS  # noqa: E402

CONTROLLERS += TRANSITION_CONTROLLERS

from server.tools.controller import ToolController  # noqa: E402
from server.workflow.events_controller import EventController  # noqa: E402

CONTROLLERS += [ToolController, EventController]
