import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Command, CommanderError } from 'commander';
import { allCommands, createProgram, runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';

/** `symphony task submit` -> ['task', 'submit'] */
function pathOf(command: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

const noStandalone = async () => {
  throw new Error('the parser tests never start a network');
};

describe('symphony command tree', () => {
  const { program } = createProgram(captureIo(), { loadStandalone: noStandalone });
  const commands = allCommands(program).filter((c) => c.name() !== 'help');

  it('has the documented commands', () => {
    const names = commands.map((c) => pathOf(c).join(' '));
    for (const expected of [
      'up',
      'demo',
      'network',
      'task submit',
      'task watch',
      'task list',
      'task show',
      'epoch close',
      'epoch list',
      'settlement show',
      'rewards',
      'consent grant',
      'consent revoke',
      'consent list',
      'semantic domains',
      'semantic show',
      'semantic map',
      'semantic propose',
      'semantic candidates',
      'semantic promote',
      'semantic resolution',
    ]) {
      assert.ok(names.includes(expected), `missing ${expected}`);
    }
  });

  for (const command of commands) {
    const path = pathOf(command);
    it(`prints --help for "${['symphony', ...path].join(' ')}"`, async () => {
      const io = captureIo();
      const { program } = createProgram(io, { loadStandalone: noStandalone });
      await assert.rejects(
        program.parseAsync(['node', 'symphony', ...path, '--help']),
        (error: unknown) =>
          error instanceof CommanderError && error.code === 'commander.helpDisplayed' && error.exitCode === 0,
      );
      const output = io.out();
      assert.match(output, new RegExp(`^Usage: symphony${path.length > 0 ? ` ${path.join(' ')}` : ''}`));
      assert.ok(command.description().length > 0, 'has a description');
    });
  }

  it('exits 0 for --help through runCli', async () => {
    const io = captureIo();
    assert.equal(await runCli(argv('task', 'list', '--help'), io), 0);
    assert.match(io.out(), /--state <state>/);
  });
});

describe('symphony usage errors', () => {
  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(argv(...args), io, { loadStandalone: noStandalone });
    return { code, err: io.err(), out: io.out() };
  };

  it('rejects an unknown option with a hint', async () => {
    const { code, err } = await run('task', 'list', '--bogus');
    assert.equal(code, 2);
    assert.match(err, /unknown option '--bogus'/);
    assert.match(err, /--help/);
  });

  it('suggests the closest option', async () => {
    const { code, err } = await run('task', 'list', '--stat', 'accepted');
    assert.equal(code, 2);
    assert.match(err, /Did you mean --state\?/);
  });

  it('suggests the closest command', async () => {
    const { code, err } = await run('tsak', 'list');
    assert.equal(code, 2);
    assert.match(err, /unknown command 'tsak'/);
    assert.match(err, /Did you mean task\?/);
  });

  it('rejects a state outside the task lifecycle, listing the allowed ones', async () => {
    const { code, err } = await run('task', 'list', '--state', 'done');
    assert.equal(code, 2);
    assert.match(err, /Allowed choices are accepted, resolving/);
  });

  it('rejects a malformed argument with the reason', async () => {
    const epoch = await run('settlement', 'show', 'latest');
    assert.equal(epoch.code, 2);
    assert.match(epoch.err, /expected a positive integer/);
    const task = await run('task', 'watch', 'not-a-task');
    assert.equal(task.code, 2);
    assert.match(task.err, /expected a task id/);
    const api = await run('--api', 'ftp://x', 'task', 'list');
    assert.equal(api.code, 2);
    assert.match(api.err, /expected an http\(s\) URL/);
  });

  it('reports a missing argument', async () => {
    const { code, err } = await run('task', 'submit');
    assert.equal(code, 2);
    assert.match(err, /missing required argument 'file'/);
  });

  it('shows the group help when a subcommand is missing', async () => {
    const { code, err } = await run('epoch');
    assert.equal(code, 2);
    assert.match(err, /Usage: symphony epoch/);
  });
});
