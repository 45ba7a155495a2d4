"""Routes of the mission templates (docs/tools.md, "Mission templates")."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from server.params import CurrentUserId
from server.workflow import templates
from server.workflow.schemas import MissionTemplateList, RecapTemplateParameters, TemplateMission


class MissionTemplateController(Controller):
    path = "/api"
    tags = ["mission templates"]

    @get("/mission-templates", operation_id="list_mission_templates")
    async def list_mission_templates(self, user_id: CurrentUserId) -> MissionTemplateList:
        """The mission templates, with the parameters a person gives to start one."""
        return templates.list_templates()

    @post(
        "/sessions/{session_id:uuid}/mission-templates/{template_id:str}",
        status_code=HTTP_201_CREATED,
        operation_id="start_mission_template",
    )
    async def start_mission_template(
        self,
        user_id: CurrentUserId,
        session_id: FromPath[UUID],
        template_id: FromPath[str],
        data: JSONBody[RecapTemplateParameters],
    ) -> TemplateMission:
        """Make the session's mission from a template: accepted, its hop's plan and tool chain
        accepted; refused (409) while the session has a mission in progress."""
        return await templates.start_from_template(
            user_id=user_id, session_id=session_id, template_id=template_id, data=data
        )
