import { type FormEvent, useCallback, useMemo } from "react";
import type { AssetInfo, Hop } from "../../api/types.gen";
import { useTools } from "../../tools/hooks";
import { ErrorBanner } from "../../ui/ErrorBanner";
import { newUuid } from "../../ui/ids";
import { problemOf } from "../../ui/problem";
import { ProposeButtons, wantsAccept } from "../../workflow/ProposeButtons";
import { DraftNote } from "../DraftNote";
import { useChainCheck, useProposeAndAcceptHopImplementation, useProposeHopImplementation } from "../hooks";
import { useLeaveWarning, useStoredDraft } from "../storedDraft";
import { ChainCheck } from "./ChainCheck";
import { buildProposal, reviveSteps, type StepDraft, stepFor, storedSteps } from "./draft";
import { StepEditor } from "./StepEditor";
import { sentBackChain } from "./sentBack";

/** Build the hop's tool chain (propose_hop_implementation): tools, parameter and result
 * mappings, resources. Every change is checked by the server's dry run (validate-chain) and
 * its errors listed. The chain is kept as a draft in the browser until proposed (secrets left
 * out; ../storedDraft.ts). */
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
  // A hop sent back (rejected, or revised after a failed run) starts from the chain it had.
  const sentBack = useMemo(() => sentBackChain(hop, assets), [hop, assets]);
  const initialSteps = useCallback((): StepDraft[] => sentBack?.steps ?? [], [sentBack]);
  const keep = useCallback((value: StepDraft[]) => storedSteps(value, toolsById), [toolsById]);
  const draft = useStoredDraft(`hop-implementation:${hop.id}`, initialSteps, reviveSteps, keep);
  const steps = draft.value;
  const setSteps = draft.setValue;
  useLeaveWarning(draft.unsaved);
  const propose = useProposeHopImplementation(missionId, hop.id);
  const proposeAndAccept = useProposeAndAcceptHopImplementation(missionId, hop.id);
  const busy = propose.isPending || proposeAndAccept.isPending;

  const { proposal, local } = useMemo(() => buildProposal(steps, toolsById), [steps, toolsById]);
  const check = useChainCheck(hop.id, proposal, steps.length > 0 && local.length === 0);
  // The server's dry run found problems in the chain as it stands: it would refuse it as well.
  const refused = !check.checking && local.length === 0 && (check.data?.errors.length ?? 0) > 0;

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
    // A fresh key: it must differ from those of restored steps too.
    const key = newUuid();
    const last = steps.at(-1);
    const lastTool = last && toolsById.get(last.toolId);
    const added = stepFor(tool, key, hop, assets, taken, last && lastTool ? { step: last, tool: lastTool } : undefined);
    setSteps((current) => [
      ...current.slice(0, -1),
      ...current.slice(-1).map((s) => (added.previous && s.key === added.previous.key ? added.previous : s)),
      added.step,
    ]);
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
    if (busy || steps.length === 0 || local.length > 0 || refused) return;
    // Proposed, the draft is done with (the refusal of a proposal keeps it).
    (wantsAccept(event) ? proposeAndAccept : propose).mutateAsync(proposal).then(draft.clear, () => undefined);
  };

  if (!tools) return <p className="muted">Loading tools…</p>;

  return (
    <form className="impl-editor" onSubmit={submit} aria-label="Implementation">
      <h4>Implement this hop</h4>
      <DraftNote restoredAt={draft.restoredAt} onDiscard={draft.discard} />
      {sentBack && draft.restoredAt === null && (
        <p className="draft-note" role="status">
          The chain it had is below, to fix and propose again
          {sentBack.lastError ? `. Its last run failed: ${sentBack.lastError}` : "."}
        </p>
      )}
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
        unavailable={
          steps.length === 0
            ? "Add a step first."
            : local.length > 0 || refused
              ? "Correct the problems in the chain first."
              : null
        }
      />
    </form>
  );
}
