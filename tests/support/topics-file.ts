import { readRepoFile } from './repo.js';

/** One line of deploy/topics.txt. */
export interface TopicLine {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** Parses deploy/topics.txt the way deploy/create-topics.sh reads it. */
export function parseTopicsFile(text: string): TopicLine[] {
  const topics: TopicLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const [name, partitions, replication, configs = '', ...rest] = fields;
    if (name === undefined || partitions === undefined || replication === undefined || rest.length > 0) {
      throw new Error(`topics.txt line ${index + 1} is malformed: ${raw}`);
    }
    topics.push({
      name,
      partitions: Number(partitions),
      replicationFactor: Number(replication),
      configs: Object.fromEntries(
        configs
          .split(',')
          .filter((pair) => pair !== '')
          .map((pair) => {
            const eq = pair.indexOf('=');
            if (eq <= 0) throw new Error(`topics.txt line ${index + 1}: config "${pair}" is not key=value`);
            return [pair.slice(0, eq), pair.slice(eq + 1)];
          }),
      ),
    });
  }
  return topics;
}

export function readTopicsFile(path = 'deploy/topics.txt'): TopicLine[] {
  return parseTopicsFile(readRepoFile(path));
}
