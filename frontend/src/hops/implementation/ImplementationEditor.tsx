import { type FormEvent, useMemo, useRef, useState } from "react";
import type { AssetInfo, Hop } from "../../api/types.gen";
import { useTools } from "../../tools/hooks";
import { ErrorBanner } from "../../ui/ErrorBanner";
import { problemOf } from "../../ui/problem";
import { ProposeButtons, wantsAccept } from "../../workflow/ProposeButtons";
import { useChainCheck, useProposeAndAcceptHopImplementation, useProposeHopImplementation } from "../hooks";
import { ChainCheck } from "./ChainCheck";
import { buildProposal, type StepDraft, stepFor } from "./draft";
import { StepEditor } from "./StepEditor";

/** Build the hop's tool chain (propose_hop_implementation): tools, parameter and result
 * mappings, resources. Every change is checked by the server's dry run (validate-chain) and
 * its errors listed. */
export function ImplementationEditor({
  missionId,
  hop,
  assets,
}: {
  missionId: string;
  hop: Hop;
  assets: Map<string, AssetInfo>;
}) {
  const tools = useTools().data;
  const toolsById = useMemo(() => new Map((tools ?? []).map((tool) => [tool.id, tool])), [tools]);
  const [steps, setSteps] = useState<StepDraft[]>([]);
  const counter = useRef(0);
  const propose = useProposeHopImplementation(missionId, hop.id);
  const proposeAndAccept = useProposeAndAcceptHopImplementation(missionId, hop.id);
  const busy = propose.isPending || proposeAndAccept.isPending;

  const { proposal, local } = useMemo(() => buildProposal(steps, toolsById), [steps, toolsById]);
  const check = useChainCheck(hop.id, proposal, steps.length > 0 && local.length === 0);

  const addStep = (toolId: string) => {
    const tool = toolsById.get(toolId);
    if (!tool) return;
    const taken = new Set(
      steps.flatMap((s) =>
        Object.values(s.results)
          .filter((r) => r.kind === "asset")
          .map((r) => r.assetId),
      ),
    );
    counter.current += 1;
    const key = `step-${counter.current}`;
    setSteps((current) => [...current, stepFor(tool, key, hop, assets, taken)]);
  };
  const updateStep = (index: number, next: StepDraft) =>
    setSteps((current) => current.map((s, i) => (i === index ? next : s)));
  const moveStep = (index: number, by: number) =>
    setSteps((current) => {
      const target = index + by;
      if (target < 0 || target >= current.length) return current;
      const copy = [...current];
      const [moved] = copy.splice(index, 1);
      if (moved) copy.splice(target, 0, moved);
      return copy;
    });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || steps.length === 0 || local.length > 0) return;
    (wantsAccept(event) ? proposeAndAccept : propose).mutate(proposal);
  };

  if (!tools) return <p className="muted">Loading tools…</p>;

  return (
    <form className="impl-editor" onSubmit={submit} aria-label="Implementation">
      <h4>Implement this hop</h4>
      {steps.map((step, index) => (
        <StepEditor
          key={step.key}
          index={index}
          step={step}
          tool={toolsById.get(step.toolId)}
          hop={hop}
          assets={assets}
          earlier={steps.slice(0, index)}
          toolsById={toolsById}
          onChange={(next) => updateStep(index, next)}
          onRemove={() => setSteps((current) => current.filter((_, i) => i !== index))}
          onMove={(by) => moveStep(index, by)}
          last={index === steps.length - 1}
        />
      ))}
      <div className="row add-step">
        <label className="field inline">
          <span className="field-label">Add a step</span>
          <select
            name="add-tool"
            value=""
            onChange={(e) => {
              addStep(e.target.value);
              e.target.value = "";
            }}
          >
            <option value="">Choose a tool…</option>
            {tools.map((tool) => (
              <option key={tool.id} value={tool.id}>
                {tool.name} ({tool.category})
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChainCheck
        hasSteps={steps.length > 0}
        local={local}
        checking={check.checking}
        problem={problemOf(check.error)}
        errors={check.data?.errors}
      />
      <ErrorBanner problem={problemOf(propose.error ?? proposeAndAccept.error)} />
      <ProposeButtons
        propose="propose_hop_implementation"
        busy={busy}
        unavailable={steps.length === 0 ? "Add a step first." : local.length > 0 ? "Correct the steps first." : null}
      />
    </form>
  );
}
