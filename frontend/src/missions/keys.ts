/** Query keys of missions (each with its hops and their tool steps). */
export const missionKeys = {
  all: ["missions"] as const,
  details: () => [...missionKeys.all, "detail"] as const,
  detail: (missionId: string) => [...missionKeys.details(), missionId] as const,
};
