#!/usr/bin/env node
// A complete builder agent: for every build request it runs BUILD_COMMAND (default `npm test`) in
// BUILD_DIR and reports whether it passed. Run: KAFKA_BOOTSTRAP=127.0.0.1:9092 pipeline-example-builder
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { create } from '@bufbuild/protobuf';
import { serveAgent } from '@pipeline/agent';
import { BuildReportSchema, STATUS } from '@pipeline/contracts';

const run = promisify(execFile);
const command = process.env.BUILD_COMMAND ?? 'npm test';

await serveAgent({
  role: 'builder',
  concurrency: 2,
  async handle(request, { signal, logger }) {
    logger.info({ commit: request.commitSha, round: request.round }, 'building');
    // The signal fires when the agent stops: the build is killed and the request built again later.
    const passed = await run('sh', ['-c', command], { cwd: process.env.BUILD_DIR, signal }).then(
      () => true,
      () => (signal.aborted ? Promise.reject(signal.reason) : false),
    );
    return create(BuildReportSchema, {
      commitSha: request.commitSha,
      buildId: request.buildId,
      status: passed ? STATUS.passed : STATUS.failed,
    });
  },
});
