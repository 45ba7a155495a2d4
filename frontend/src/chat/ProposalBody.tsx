import type {
  AssetInfo,
  AssetProposal,
  HopImplementationProposal,
  HopPlanProposal,
  MissionProposal,
  ParameterMapping,
  ResultMapping,
} from "../api/types.gen";
import { assertNever } from "../api/types.gen";
import { typeLabel } from "../assets/draft";
import { keyed, keyedTexts } from "../ui/keys";

type Assets = Map<string, AssetInfo>;

function shortJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function Criteria({ items }: { items: readonly string[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="proposal-criteria">
      {keyedTexts(items).map(([key, text]) => (
        <li key={key}>{text}</li>
      ))}
    </ul>
  );
}

function AssetLine({ asset }: { asset: AssetProposal }) {
  return (
    <li>
      <span className="proposal-tag">{asset.role}</span> <strong>{asset.name}</strong>{" "}
      <span className="muted">{typeLabel(asset)}</span>
      {asset.content !== null && <span className="muted"> · with its content</span>}
    </li>
  );
}

/** A proposed mission: what it is for and its assets. */
export function MissionProposalBody({ proposal }: { proposal: MissionProposal }) {
  return (
    <div className="proposal-body">
      <h4 className="proposal-title">{proposal.name}</h4>
      {proposal.goal && <p>{proposal.goal}</p>}
      {proposal.description && <p className="muted">{proposal.description}</p>}
      <Criteria items={proposal.success_criteria} />
      {proposal.assets.length > 0 && (
        <ul className="proposal-assets">
          {keyed(proposal.assets, (asset) => `${asset.role}:${asset.name}`).map(([key, asset]) => (
            <AssetLine key={key} asset={asset} />
          ))}
        </ul>
      )}
    </div>
  );
}

function assetName(assets: Assets, id: string, otherwise: string): string {
  return assets.get(id)?.name ?? otherwise;
}

/** A proposed hop plan: what the hop reads and what it writes. */
export function HopPlanProposalBody({ proposal, assets }: { proposal: HopPlanProposal; assets: Assets }) {
  const output = proposal.output;
  return (
    <div className="proposal-body">
      <h4 className="proposal-title">
        {proposal.name}
        {proposal.is_final && <span className="proposal-tag">final</span>}
      </h4>
      {proposal.goal && <p>{proposal.goal}</p>}
      {proposal.rationale && <p className="muted">{proposal.rationale}</p>}
      <Criteria items={proposal.success_criteria} />
      <p className="proposal-flow">
        <span className="muted">Reads </span>
        {proposal.inputs.length === 0
          ? "nothing"
          : proposal.inputs.map((id) => assetName(assets, id, "an asset")).join(", ")}
        <span className="muted"> · writes </span>
        {output.type === "new_asset"
          ? `${output.asset.name} (new)`
          : assetName(assets, output.mission_asset_id, "a mission asset")}
      </p>
    </div>
  );
}

function parameterText(mapping: ParameterMapping, assets: Assets): string {
  switch (mapping.type) {
    case "asset_field":
      return assetName(assets, mapping.state_asset, "an earlier step's result");
    case "literal":
      return shortJson(mapping.value);
    default:
      return assertNever(mapping);
  }
}

function resultText(mapping: ResultMapping, assets: Assets): string {
  switch (mapping.type) {
    case "asset_field":
      return assetName(assets, mapping.state_asset, "a new intermediate asset");
    case "discard":
      return "discarded";
    default:
      return assertNever(mapping);
  }
}

/** A proposed tool chain: its steps in order, with where each reads and writes. */
export function ChainProposalBody({ proposal, assets }: { proposal: HopImplementationProposal; assets: Assets }) {
  return (
    <ol className="proposal-body proposal-steps">
      {keyed(proposal.steps, (step) => `${step.tool_id}:${step.name}`).map(([key, step]) => (
        <li key={key} className="proposal-step">
          <strong>{step.name}</strong> <code>{step.tool_id}</code>
          <ul className="proposal-mappings">
            {Object.entries(step.parameter_mapping).map(([name, mapping]) => (
              <li key={`in:${name}`}>
                <code>{name}</code> ← {parameterText(mapping, assets)}
              </li>
            ))}
            {Object.entries(step.result_mapping).map(([name, mapping]) => (
              <li key={`out:${name}`}>
                <code>{name}</code> → {resultText(mapping, assets)}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
