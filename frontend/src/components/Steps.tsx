import { useState, type FormEvent } from "react";

import { configureToolStep } from "../api/client.gen";
import { ToolExecutionStatus, type AssetInfo, type ParameterMapping, type ResultMapping, type ToolSpec, type ToolStep } from "../api/types.gen";
import { formatDuration, formatTime, prettyJson } from "../lib/format";
import { useStepProgress } from "../lib/events";
import { useTools } from "../lib/tools";
import { ErrorBanner, RichText, StatusBadge, useAction } from "./common";

function assetName(id: string, assets: Map<string, AssetInfo>): string {
  return assets.get(id)?.name ?? `new intermediate ${id.slice(0, 8)}`;
}

function describeParameter(mapping: ParameterMapping, assets: Map<string, AssetInfo>): string {
  return mapping.type === "asset_field" ? `← ${assetName(mapping.state_asset, assets)}` : `= ${JSON.stringify(mapping.value)}`;
}

function describeResult(mapping: ResultMapping, assets: Map<string, AssetInfo>): string {
  return mapping.type === "asset_field" ? `→ ${assetName(mapping.state_asset, assets)}` : "discarded";
}

/** A hop's tool steps in order: status, mappings, timings, result or error; steps waiting
 * for configuration get a form for their resources (2.6b) when `configurable`. */
export function StepList({ steps, assets, configurable, onChanged }: { steps: ToolStep[]; assets: Map<string, AssetInfo>; configurable: boolean; onChanged: () => Promise<void> }) {
  const tools = useTools();
  if (steps.length === 0) return <p className="muted">No steps.</p>;
  return (
    <ol className="steps">
      {steps.map((step) => (
        <li key={step.id} className={`step step-${step.status}`} data-step-id={step.id} data-step-status={step.status}>
          <div className="step-head">
            <span className="step-number">{step.sequence_order + 1}</span>
            <span className="step-name">{step.name}</span>
            <span className="type-tag">{step.tool_id}</span>
            <StatusBadge status={step.status} />
          </div>
          <ul className="step-mappings">
            {Object.entries(step.parameter_mapping).map(([name, mapping]) => (
              <li key={`p-${name}`}>
                <code>{name}</code> {describeParameter(mapping, assets)}
              </li>
            ))}
            {Object.entries(step.result_mapping).map(([name, mapping]) => (
              <li key={`r-${name}`}>
                <code>{name}</code> {describeResult(mapping, assets)}
              </li>
            ))}
          </ul>
          {step.status === ToolExecutionStatus.EXECUTING && <StepProgress stepId={step.id} />}
          {(step.started_at || step.completed_at) && (
            <p className="step-times muted small-text">
              started {formatTime(step.started_at)}
              {step.completed_at && <> · finished {formatTime(step.completed_at)}</>}
              {formatDuration(step.started_at, step.completed_at) && <> · took {formatDuration(step.started_at, step.completed_at)}</>}
            </p>
          )}
          {step.validation_errors.length > 0 && (
            <ul className="step-validation">
              {step.validation_errors.map((error, index) => (
                <li key={index}>
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
                Result ({Math.round(step.execution_result.duration_ms)} ms{step.execution_result.stubbed ? ", from sample responses" : ""})
              </summary>
              <pre className="json">{prettyJson(step.execution_result.outputs)}</pre>
            </details>
          )}
          {configurable && step.status === ToolExecutionStatus.AWAITING_CONFIGURATION && tools && (
            <ConfigureStep step={step} tool={tools.find((tool) => tool.id === step.tool_id)} onChanged={onChanged} />
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

function ConfigureStep({ step, tool, onChanged }: { step: ToolStep; tool: ToolSpec | undefined; onChanged: () => Promise<void> }) {
  const [values, setValues] = useState<Record<string, Record<string, string>>>({});
  const { busy, problem, run } = useAction();
  if (!tool || tool.resource_dependencies.length === 0) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const resource_configs: Record<string, Record<string, unknown>> = {};
    for (const resource of tool.resource_dependencies) {
      const entered: Record<string, unknown> = {};
      for (const field of resource.fields) {
        const text = values[resource.id]?.[field.name] ?? "";
        if (text === "") continue;
        entered[field.name] = field.type === "integer" || field.type === "number" ? Number(text) : field.type === "boolean" ? text === "true" : text;
      }
      resource_configs[resource.id] = entered;
    }
    const done = await run(() => configureToolStep(step.id, { resource_configs }));
    if (done) await onChanged();
  };

  return (
    <form className="configure" onSubmit={submit} aria-label={`Configure ${step.name}`}>
      {tool.resource_dependencies.map((resource) => (
        <div key={resource.id}>
          <h5>{resource.name}</h5>
          <div className="resource-fields">
            {resource.fields.map((field) => {
              const state = step.resource_configs[resource.id];
              const stored = field.secret ? state?.secrets[field.name] === true : state?.values[field.name] !== undefined;
              return (
                <label key={field.name} className="field inline">
                  <span className="field-label">
                    {field.name}
                    {field.required && <span className="required">*</span>}
                  </span>
                  <input
                    name={`configure-${resource.id}-${field.name}`}
                    type={field.secret ? "password" : "text"}
                    autoComplete="off"
                    placeholder={stored ? (field.secret ? "set (hidden)" : String(state?.values[field.name])) : (field.description ?? field.type)}
                    value={values[resource.id]?.[field.name] ?? ""}
                    onChange={(e) => setValues((current) => ({ ...current, [resource.id]: { ...current[resource.id], [field.name]: e.target.value } }))}
                  />
                </label>
              );
            })}
          </div>
        </div>
      ))}
      <ErrorBanner problem={problem} />
      <button type="submit" className="small primary" disabled={busy}>
        Save configuration
      </button>
    </form>
  );
}
