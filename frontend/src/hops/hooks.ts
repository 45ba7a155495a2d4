import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { validateToolChain } from "../api/client.gen";
import { performTransition } from "../api/transitions.gen";
import type { HopImplementationProposalInput, HopPlanProposalInput } from "../api/types.gen";
import { refreshMission } from "../workflow/refresh";
import { hopKeys } from "./keys";

/** Proposes the hop's plan (propose_hop_plan) and, with `accept`, accepts it at once
 * (accept_hop_plan: the person's own plan), then reads its mission again. */
export function useProposeHopPlan(missionId: string, hopId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, accept }: { body: HopPlanProposalInput; accept: boolean }) => {
      const hop = await performTransition.propose_hop_plan(hopId, body);
      return accept ? performTransition.accept_hop_plan(hop.id) : hop;
    },
    onSuccess: () => refreshMission(queryClient, missionId),
  });
}

/** Proposes the hop's tool chain (propose_hop_implementation), then reads its mission again.
 * {@link useProposeAndAcceptHopImplementation} accepts it too (Save and accept). */
export function useProposeHopImplementation(missionId: string, hopId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: HopImplementationProposalInput) => performTransition.propose_hop_implementation(hopId, body),
    onSuccess: () => refreshMission(queryClient, missionId),
  });
}

/** Proposes the hop's tool chain and accepts it at once (propose_hop_implementation, then
 * accept_hop_implementation: the person's own chain), then reads its mission again. */
export function useProposeAndAcceptHopImplementation(missionId: string, hopId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: HopImplementationProposalInput) => {
      const hop = await performTransition.propose_hop_implementation(hopId, body);
      return performTransition.accept_hop_implementation(hop.id);
    },
    onSuccess: () => refreshMission(queryClient, missionId),
  });
}

/** `value`, once it has stayed the same for `delayMs`. */
function useSettled<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The server's dry run of a tool chain for the hop (nothing stored), asked after a pause in
 * typing; `checking` while the chain typed is not yet the one answered. With `enabled` false
 * (no steps, or mistakes caught before asking) nothing is asked. */
export function useChainCheck(hopId: string, proposal: HopImplementationProposalInput, enabled: boolean) {
  const settled = useSettled(proposal, 300);
  const query = useQuery({
    queryKey: hopKeys.chainCheck(hopId, settled),
    queryFn: ({ signal }) => validateToolChain(hopId, settled, { signal }),
    enabled: enabled && settled === proposal,
  });
  return { ...query, checking: enabled && (settled !== proposal || query.isFetching) };
}
