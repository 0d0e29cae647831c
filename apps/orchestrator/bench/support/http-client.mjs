// @ts-check
// A load client in its own process, so that its timings do not include the bench's own work.
//   node http-client.mjs burst <url> <n>        n concurrent GETs, fresh connections; prints JSON
//   node http-client.mjs probe <url> <everyMs>  one GET every everyMs (1 s timeout) until stdin ends
import http from 'node:http';

const [mode, url = '', arg] = process.argv.slice(2);

/**
 * @param {http.Agent} agent
 * @param {number} timeoutMs
 * @returns {Promise<{ ms: number, ok: boolean }>}
 */
function get(agent, timeoutMs) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, ok: res.statusCode === 200 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - started, ok: false }));
  });
}

if (mode === 'burst') {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const results = await Promise.all(Array.from({ length: Number(arg) }, () => get(agent, 10_000)));
  process.stdout.write(JSON.stringify(results));
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = [];
  let running = true;
  process.stdin.on('end', () => (running = false));
  process.stdin.resume();
  while (running) {
    results.push(await get(agent, 1000));
    await new Promise((r) => setTimeout(r, Number(arg)));
  }
  process.stdout.write(JSON.stringify(results));
}
