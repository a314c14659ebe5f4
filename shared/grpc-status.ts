/** gRPC status codes as the Google client libraries report them on errors (`error.code`). */

export const GrpcCode = {
  DEADLINE_EXCEEDED: 4,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** DEADLINE_EXCEEDED, ABORTED or UNAVAILABLE from Firestore or Pub/Sub: worth a retry. */
export function isTransientGrpcError(error: unknown): boolean {
  const code = grpcCode(error);
  return code === GrpcCode.DEADLINE_EXCEEDED || code === GrpcCode.ABORTED || code === GrpcCode.UNAVAILABLE;
}
