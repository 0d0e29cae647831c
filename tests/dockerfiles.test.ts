import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  execForm,
  type Instruction,
  parseCopy,
  parseDockerfile,
  type Stage,
  stages,
} from './support/dockerfile.js';
import {
  readPackageJson,
  readRepoFile,
  repoPath,
  workspaceClosure,
  workspacePackages,
} from './support/repo.js';

const APPS = ['mock-agents', 'orchestrator'];

/** Patterns of .dockerignore as matchers of context-relative paths (enough for the patterns used here). */
function dockerignoreMatchers(): RegExp[] {
  return readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'))
    .map((pattern) => {
      const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .map((segment) =>
          segment === '**'
            ? '(?:.*/)?'
            : `${segment
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]')}/`,
        )
        .join('');
      // A pattern matches the path itself and everything under it.
      return new RegExp(`^${body.replace(/\/$/, '')}(?:/.*)?$`);
    });
}

function runs(stage: Stage): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === 'RUN');
}

function findRun(all: Instruction[], pattern: RegExp, what: string): Instruction {
  const found = all.filter((instruction) => instruction.keyword === 'RUN' && pattern.test(instruction.args));
  expect(found, `exactly one RUN does ${what}`).toHaveLength(1);
  return found[0] as Instruction;
}

/** The `--filter` selectors of a pnpm command line, quotes removed. */
function filters(command: string): string[] {
  return [...command.matchAll(/(?:--filter|-F)(?:=|\s+)("[^"]*"|'[^']*'|\S+)/g)].map((m) =>
    (m[1] as string).replace(/^["']|["']$/g, ''),
  );
}

function normalize(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

describe('app Dockerfiles', () => {
  it('exist for exactly the apps that docker-compose.yml builds', () => {
    const withDockerfile = readdirSync(repoPath('apps')).filter((app) =>
      existsSync(repoPath('apps', app, 'Dockerfile')),
    );
    expect(withDockerfile.sort()).toEqual(APPS);
  });

  it('.dockerignore keeps host installs, build output and local state out of the build context', () => {
    const matchers = dockerignoreMatchers();
    const ignored = (path: string) => matchers.some((matcher) => matcher.test(path));
    for (const path of [
      'node_modules',
      'packages/topics/node_modules/x',
      'apps/orchestrator/dist/main.js',
      'packages/contracts/dist',
      '.git',
      '.kafka/data',
      '.turbo',
      'packages/kafka/.turbo',
      'coverage',
      '.test-results',
    ]) {
      expect(ignored(path), `${path} is ignored`).toBe(true);
    }
    for (const path of [
      'package.json',
      'pnpm-lock.yaml',
      'packages/topics/src/names.ts',
      'apps/orchestrator/src',
    ]) {
      expect(ignored(path), `${path} is sent`).toBe(false);
    }
  });
});

describe.each(APPS)('apps/%s/Dockerfile', (app) => {
  const dir = `apps/${app}`;
  const pkg = readPackageJson(dir);
  const instructions = parseDockerfile(readRepoFile(`${dir}/Dockerfile`));
  const all = stages(instructions);
  const first = all[0] as Stage;
  const final = all.at(-1) as Stage;
  const buildInstructions = all.slice(0, -1).flatMap((stage) => stage.instructions);

  it('is multi-stage: a named build stage, then a runtime stage from a base image', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(first.name, 'the first stage has a name (FROM ... AS build)').toBeTruthy();
    const stageNames = all.map((stage) => stage.name);
    expect(stageNames, 'the final stage starts from a base image, not from the build stage').not.toContain(
      final.image.toLowerCase(),
    );
  });

  it('bases every stage on Node 20', () => {
    const earlier = new Set<string>();
    for (const stage of all) {
      if (!earlier.has(stage.image.toLowerCase())) {
        expect(stage.image, `stage ${stage.index}`).toMatch(
          /^(?:docker\.io\/)?(?:library\/)?node:20(?:[.-]|@|$)/,
        );
      }
      if (stage.name) earlier.add(stage.name);
    }
  });

  it('installs the pnpm version of the root packageManager, with npm rather than corepack', () => {
    const wanted = readPackageJson('.')
      .packageManager?.replace(/^pnpm@/, '')
      .replace(/\+.*$/, '');
    expect(wanted).toBeTruthy();
    const install = findRun(buildInstructions, /\bpnpm@/, 'install pnpm');
    expect(install.args).toMatch(/\bnpm (?:i|install)\b.*(?:-g|--global)/);
    expect(/\bpnpm@(\S+)/.exec(install.args)?.[1]).toBe(wanted);
    expect(instructions.some((instruction) => /\bcorepack\b/.test(instruction.args))).toBe(false);
  });

  it('installs exactly the lockfile (--frozen-lockfile), only for the app and its dependencies', () => {
    const install = findRun(buildInstructions, /\bpnpm (?:install|i)\b/, 'pnpm install');
    expect(install.args).toContain('--frozen-lockfile');
    for (const selector of filters(install.args)) expect(selector).toBe(`${pkg.name}...`);
  });

  it('copies the root manifests and every linked package.json before installing (cached install layer)', () => {
    const install = findRun(buildInstructions, /\bpnpm (?:install|i)\b/, 'pnpm install');
    const copied = new Set(
      first.instructions
        .filter((instruction) => instruction.keyword === 'COPY' && instruction.line < install.line)
        .flatMap((instruction) => parseCopy(instruction.args).sources.map(normalize)),
    );
    const packages = workspacePackages();
    const needed = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      ...workspaceClosure(pkg.name).map((name) => `${packages.get(name)?.dir}/package.json`),
    ];
    for (const path of needed) expect(copied, `${path} is copied before the install`).toContain(path);
    // The source folders must come after the install, or every source change reinstalls everything.
    for (const path of copied) {
      const isSourceFolder = path === '.' || existsSync(repoPath(path, 'package.json'));
      expect(isSourceFolder, `${path} is copied only after the install`).toBe(false);
    }
  });

  it('copies tsconfig.base.json and the sources of the app and each workspace package it builds', () => {
    const build = findRun(buildInstructions, /\bpnpm\b.*\b(?:run\s+)?build\b/, 'pnpm build');
    const copiedBeforeBuild = first.instructions
      .filter((instruction) => instruction.keyword === 'COPY' && instruction.line < build.line)
      .flatMap((instruction) => parseCopy(instruction.args).sources.map(normalize));
    expect(copiedBeforeBuild).toContain('tsconfig.base.json');
    const packages = workspacePackages();
    for (const name of workspaceClosure(pkg.name)) {
      const packageDir = packages.get(name)?.dir as string;
      const covered = copiedBeforeBuild.some(
        (source) => source === '.' || packageDir === source || packageDir.startsWith(`${source}/`),
      );
      expect(covered, `the sources of ${name} (${packageDir}) are copied before the build`).toBe(true);
    }
  });

  it('builds the app together with its workspace dependencies', () => {
    const build = findRun(buildInstructions, /\bpnpm\b.*\b(?:run\s+)?build\b/, 'pnpm build');
    expect(filters(build.args)).toEqual([`${pkg.name}...`]);
  });

  it('deploys the app with production dependencies only, and the runtime stage copies that', () => {
    const deploy = findRun(buildInstructions, /\bpnpm\b.*\sdeploy\s/, 'pnpm deploy');
    expect(deploy.args).toMatch(/\s(?:--prod|-P)(?:\s|$)/);
    // pnpm 10 deploys a non-injected workspace only with the legacy implementation.
    expect(deploy.args).toMatch(/\s--legacy(?:\s|$)/);
    expect(filters(deploy.args)).toEqual([pkg.name]);
    const target = deploy.args.trim().split(/\s+/).at(-1) as string;
    const fromBuild = final.instructions
      .filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => parseCopy(instruction.args))
      .filter((copy) => copy.flags.from !== undefined);
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const copy of fromBuild) {
      expect(all.slice(0, -1).map((stage) => stage.name)).toContain(copy.flags.from?.toLowerCase());
      expect(copy.sources.map((source) => source.replace(/\/+$/, ''))).toEqual([target.replace(/\/+$/, '')]);
    }
  });

  it('runs as a non-root user in the final stage', () => {
    const user = final.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1);
    expect(user, 'the final stage sets USER').toBeDefined();
    const name = (user as Instruction).args.split(':')[0];
    expect(['root', '0', '']).not.toContain(name);
  });

  it('starts node on the built entry point, with NODE_ENV=production', () => {
    const cmd = final.instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1);
    expect(cmd, 'the final stage has a CMD').toBeDefined();
    const argv = execForm((cmd as Instruction).args);
    expect(argv, 'CMD is in exec form, so node gets the signals').toBeDefined();
    const [program, script] = argv as string[];
    expect(program).toBe('node');
    expect(script).toMatch(/^(?:\.\/)?dist\/.+\.js$/);
    expect(normalize(script as string)).toBe(normalize(pkg.main ?? ''));
    expect(final.instructions.some((i) => i.keyword === 'ENTRYPOINT')).toBe(false);
    const env = final.instructions.filter((instruction) => instruction.keyword === 'ENV').map((i) => i.args);
    expect(env.some((args) => /(?:^|\s)NODE_ENV[=\s]"?production"?(?:\s|$)/.test(args))).toBe(true);
  });

  it('copies from the build context only files that exist and that .dockerignore does not drop', () => {
    const matchers = dockerignoreMatchers();
    const sources = instructions
      .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
      .map((instruction) => parseCopy(instruction.args))
      .filter((copy) => copy.flags.from === undefined)
      .flatMap((copy) => copy.sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source, 'no globs: a missing file must fail the build').not.toMatch(/[*?[]/);
      expect(source, 'no URLs').not.toMatch(/^[a-z]+:\/\//);
      const path = normalize(source);
      expect(existsSync(repoPath(path)), `${source} exists in the repository`).toBe(true);
      expect(
        matchers.some((matcher) => matcher.test(path)),
        `${source} is not dropped by .dockerignore`,
      ).toBe(false);
    }
  });

  it('does nothing in the runtime stage but copy the deployed app (no install, no build)', () => {
    expect(runs(final).map((instruction) => instruction.args)).toEqual([]);
  });
});

describe('apps/orchestrator/Dockerfile', () => {
  const final = stages(parseDockerfile(readRepoFile('apps/orchestrator/Dockerfile'))).at(-1) as Stage;

  it('exposes the HTTP port 9300', () => {
    const exposed = final.instructions
      .filter((instruction) => instruction.keyword === 'EXPOSE')
      .flatMap((instruction) => instruction.args.split(/\s+/));
    expect(exposed.map((port) => port.replace(/\/tcp$/, ''))).toContain('9300');
  });

  it('has a HEALTHCHECK that asks /healthz with node (the image has no curl)', () => {
    const healthcheck = final.instructions
      .filter((instruction) => instruction.keyword === 'HEALTHCHECK')
      .at(-1);
    expect(healthcheck).toBeDefined();
    const args = (healthcheck as Instruction).args;
    const cmd = /\bCMD\s+(.*)$/s.exec(args)?.[1] as string;
    const argv = execForm(cmd);
    expect(argv?.[0]).toBe('node');
    expect(argv?.join(' ')).toContain('http://127.0.0.1:9300/healthz');
    for (const option of ['interval', 'timeout', 'start-period', 'retries'])
      expect(args).toContain(`--${option}=`);
  });
});
