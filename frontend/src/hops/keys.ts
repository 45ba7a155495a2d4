import type { HopImplementationProposalInput } from "../api/types.gen";

/** Query keys of hops (a hop itself is read with its mission, see `missions/keys.ts`). */
export const hopKeys = {
  all: ["hops"] as const,
  /** The server's dry run of a tool chain for the hop. */
  chainCheck: (hopId: string, proposal: HopImplementationProposalInput) =>
    [...hopKeys.all, hopId, "chain-check", proposal] as const,
};
