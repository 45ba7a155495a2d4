import { useState } from "react";

import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { useMissionChoices, useSaveToolResult } from "./hooks";

/** Keep one output of a lab run as a new input asset of one of your missions. */
export function SaveResult({ toolId, output, content }: { toolId: string; output: string; content: unknown }) {
  const missions = useMissionChoices();
  const save = useSaveToolResult();
  const [missionId, setMissionId] = useState("");
  const [name, setName] = useState(`${toolId} ${output}`);
  return (
    <div className="form-actions toollab-save">
      <label className="field inline">
        <span className="field-label">Save as asset of</span>
        <select name={`save-${output}-mission`} value={missionId} onChange={(e) => setMissionId(e.target.value)}>
          <option value="">choose a mission…</option>
          {(missions.data ?? []).map((mission) => (
            <option key={mission.id} value={mission.id}>
              {mission.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span className="field-label">Name</span>
        <input name={`save-${output}-name`} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button
        type="button"
        className="small"
        disabled={!missionId || save.isPending}
        onClick={() => save.mutate({ mission_id: missionId, tool_id: toolId, output, name, content })}
      >
        Save as asset
      </button>
      {save.isSuccess && <span className="muted small-text">Saved as “{save.data.name}”.</span>}
      <ErrorBanner problem={problemOf(save.error)} />
    </div>
  );
}
