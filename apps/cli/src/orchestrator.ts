import { CliError, type Command, type CommandLine } from '@pipeline/cli-kit';
import {
  DEFAULT_ORCHESTRATOR_URL,
  fetchRequest,
  isOrchestratorApiError,
  ORCHESTRATOR_TOKEN_ENV,
  ORCHESTRATOR_URL_ENV,
  orchestratorToken,
  orchestratorUrl,
  type RequestView,
} from '@pipeline/orchestrator-api';

/** The environment row of every command that asks the orchestrator. */
export const URL_ENV: readonly [name: string, description: string] = [
  ORCHESTRATOR_URL_ENV,
  `the orchestrator's HTTP address (default ${DEFAULT_ORCHESTRATOR_URL})`,
];

/** The environment row of the bearer token, for the same commands. */
export const TOKEN_ENV: readonly [name: string, description: string] = [
  ORCHESTRATOR_TOKEN_ENV,
  "the orchestrator's bearer token, when it has one (--token wins)",
];

/** `--url` and `--token`, shared by every command that asks the orchestrator. */
export function withUrlOption(command: Command): Command {
  return command
    .option(
      '--url <url>',
      `the orchestrator's HTTP address (default: $${ORCHESTRATOR_URL_ENV} or ${DEFAULT_ORCHESTRATOR_URL})`,
    )
    .option(
      '--token <token>',
      `the orchestrator's bearer token (default: $${ORCHESTRATOR_TOKEN_ENV}; prefer the variable: other users can see a process's arguments)`,
    );
}

/** `--token`, else ORCH_HTTP_TOKEN, else none. */
export function tokenOf(flag: unknown, env: NodeJS.ProcessEnv): string | undefined {
  return orchestratorToken(typeof flag === 'string' ? flag : undefined, env);
}

/** `--url`, else ORCH_URL, else the default; a bad one is bad usage of `command` (exit 2). */
export function urlOf(line: CommandLine, command: Command, flag: unknown, env: NodeJS.ProcessEnv): string {
  try {
    return orchestratorUrl(typeof flag === 'string' ? flag : undefined, env);
  } catch (error) {
    if (isOrchestratorApiError(error, 'INVALID_URL')) throw line.usageError(command, error.message);
    throw error;
  }
}

/** The request's view, or undefined for an unknown id; an orchestrator that fails is one line (exit 1). */
export async function readRequest(
  url: string,
  id: string,
  token?: string | undefined,
): Promise<RequestView | undefined> {
  try {
    return await fetchRequest(url, id, { token });
  } catch (error) {
    if (isOrchestratorApiError(error)) throw new CliError(error.message);
    throw error;
  }
}
