import { Counter, Histogram, Registry } from 'prom-client';

/** What one handled command came to (agent_commands_total's `outcome`). */
export type CommandOutcome =
  /** Replies written, none reporting a failure. */
  | 'ok'
  /** Replies written, one reporting a failure (a failed build is a valid answer). */
  | 'failed'
  /** The handler returned no reply. */
  | 'silent'
  /** The handler threw; it is tried again, then dead-lettered. */
  | 'error'
  /** The agent stopped before the handler finished: the command is delivered again later. */
  | 'abandoned'
  /** The request was cancelled while the handler worked: no reply, the command is done. */
  | 'cancelled'
  /** Undecodable, or failed every retry: written to the dead-letter topic. */
  | 'dead_lettered';

export interface AgentMetrics {
  readonly registry: Registry;
  commands(outcome: CommandOutcome): void;
  handled(seconds: number): void;
}

/**
 * The agent's metrics, in `registry` (default: a new one). Agents of several roles in one process
 * share one registry: the metrics are made once and labelled by role.
 */
export function createAgentMetrics(role: string, registry = new Registry()): AgentMetrics {
  const commands =
    (registry.getSingleMetric('agent_commands_total') as Counter<'role' | 'outcome'> | undefined) ??
    new Counter({
      name: 'agent_commands_total',
      help: 'Commands handled by an agent, per role and outcome',
      labelNames: ['role', 'outcome'] as const,
      registers: [registry],
    });
  const handleSeconds =
    (registry.getSingleMetric('agent_handle_seconds') as Histogram<'role'> | undefined) ??
    new Histogram({
      name: 'agent_handle_seconds',
      help: "Time an agent's handler took for one command (each attempt), per role",
      labelNames: ['role'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
      registers: [registry],
    });
  return {
    registry,
    commands: (outcome) => commands.inc({ role, outcome }),
    handled: (seconds) => handleSeconds.observe({ role }, seconds),
  };
}
