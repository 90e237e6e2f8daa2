// What lb-demo asks the models: the seed's short questions, in turn.

export const PROMPTS = [
  'What is AI?',
  'What is Python?',
  'What is Docker?',
  'What is REST?',
  'What is CI/CD?',
  'What is Kubernetes?',
  'What is a load balancer?',
  'What is an API gateway?',
] as const;

/** The prompt of the request with this 0-based sequence number. */
export function promptFor(plan: { prompts: readonly string[] }, seq: number): string {
  return plan.prompts[seq % plan.prompts.length] ?? 'Hello!';
}
