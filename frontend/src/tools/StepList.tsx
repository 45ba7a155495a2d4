import { isAllowed, TRANSITIONS } from "../api/transitions.gen";
import type { AssetInfo, HopStatus, ParameterMapping, ResultMapping, ToolStep } from "../api/types.gen";
import { RunStepButtons } from "../toollab/RunStepButtons";
import { formatDuration, formatTime, prettyJson } from "../ui/format";
import { keyedTexts } from "../ui/keys";
import { RichText } from "../ui/RichText";
import { StatusBadge } from "../ui/StatusBadge";
import { ConfigureStep } from "./ConfigureStep";
import { useStepProgress, useTools } from "./hooks";

/** An asset by name; one not read yet (a hop's intermediate) by the step that writes it. */
function assetName(id: string, assets: Map<string, AssetInfo>, steps: readonly ToolStep[]): string {
  const known = assets.get(id)?.name;
  if (known) return known;
  const writer = steps.find((step) =>
    Object.values(step.result_mapping).some((m) => m.type === "asset_field" && m.state_asset === id),
  );
  return writer ? `the intermediate of step ${writer.sequence_order + 1}` : "an intermediate asset";
}

function describeParameter(mapping: ParameterMapping, assets: Map<string, AssetInfo>, steps: ToolStep[]): string {
  return mapping.type === "asset_field"
    ? `← ${assetName(mapping.state_asset, assets, steps)}`
    : `= ${JSON.stringify(mapping.value)}`;
}

function describeResult(mapping: ResultMapping, assets: Map<string, AssetInfo>, steps: ToolStep[]): string {
  return mapping.type === "asset_field" ? `→ ${assetName(mapping.state_asset, assets, steps)}` : "discarded";
}

/** Whether the step is running: in the status its start leads to. */
function isRunning(step: ToolStep): boolean {
  return step.status === TRANSITIONS.start_tool_step.target;
}

/** A hop's tool steps in order: status, mappings, timings, result or error; steps waiting
 * for their configuration get a form for their resources when `configurable`. */
export function StepList({
  missionId,
  steps,
  assets,
  configurable,
  hopStatus,
}: {
  missionId: string;
  steps: ToolStep[];
  assets: Map<string, AssetInfo>;
  configurable: boolean;
  /** The hop's status, to offer running a step on its own. */
  hopStatus?: HopStatus;
}) {
  const tools = useTools().data;
  if (steps.length === 0) return <p className="muted">No steps.</p>;
  return (
    <ol className="steps">
      {steps.map((step) => (
        <li key={step.id} className={`step step-${step.status}`} data-step-id={step.id} data-step-status={step.status}>
          <div className="step-head">
            <span className="step-number">{step.sequence_order + 1}</span>
            <span className="step-name">{step.name}</span>
            <span className="type-tag">{step.tool_id}</span>
            <StatusBadge status={step.status} entity="tool_step" />
          </div>
          <ul className="step-mappings">
            {Object.entries(step.parameter_mapping).map(([name, mapping]) => (
              <li key={`p-${name}`}>
                <code>{name}</code> {describeParameter(mapping, assets, steps)}
              </li>
            ))}
            {Object.entries(step.result_mapping).map(([name, mapping]) => (
              <li key={`r-${name}`}>
                <code>{name}</code> {describeResult(mapping, assets, steps)}
              </li>
            ))}
          </ul>
          {isRunning(step) && <StepProgress stepId={step.id} />}
          {(step.started_at || step.completed_at) && (
            <p className="step-times muted small-text">
              started {formatTime(step.started_at)}
              {step.completed_at && <> · finished {formatTime(step.completed_at)}</>}
              {formatDuration(step.started_at, step.completed_at) && (
                <> · took {formatDuration(step.started_at, step.completed_at)}</>
              )}
            </p>
          )}
          {step.validation_errors.length > 0 && (
            <ul className="step-validation">
              {keyedTexts(step.validation_errors).map(([key, error]) => (
                <li key={key}>
                  <RichText text={error} />
                </li>
              ))}
            </ul>
          )}
          {step.error_message && (
            <p className="step-error" role="alert">
              <RichText text={step.error_message} />
            </p>
          )}
          {step.execution_result && (
            <details className="step-result">
              <summary>
                Result ({Math.round(step.execution_result.duration_ms)} ms
                {step.execution_result.stubbed ? ", from sample responses" : ""})
              </summary>
              <pre className="json">{prettyJson(step.execution_result.outputs)}</pre>
            </details>
          )}
          {hopStatus && <RunStepButtons missionId={missionId} step={step} steps={steps} hopStatus={hopStatus} />}
          {configurable && isAllowed("configure_tool_step", "tool_step", step.status) && tools && (
            <ConfigureStep missionId={missionId} step={step} tool={tools.find((tool) => tool.id === step.tool_id)} />
          )}
        </li>
      ))}
    </ol>
  );
}

function StepProgress({ stepId }: { stepId: string }) {
  const progress = useStepProgress(stepId);
  return (
    <p className="step-progress small-text">
      <RichText text={progress ?? "running…"} />
    </p>
  );
}
