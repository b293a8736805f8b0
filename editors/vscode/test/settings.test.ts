import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServerSettings } from '../src/names';
import { resolveServerPath, serverEnv, serverSettings, tokenKey, TokenEnv } from '../src/settings';

describe('serverEnv', () => {
  test('the token goes into the environment, not the settings', () => {
    const env = serverEnv({ PATH: '/bin' }, 's3cret');
    assert.equal(env[TokenEnv], 's3cret');
    assert.equal(env.PATH, '/bin');
    assert.ok(!JSON.stringify(serverSettings({ remote: 'sc://h:443' })).includes('s3cret'));
  });
  test('no token, no variable', () => {
    assert.equal(serverEnv({ PATH: '/bin' })[TokenEnv], undefined);
  });
});

describe('tokenKey', () => {
  test('one key per host and port', () => {
    assert.equal(tokenKey('sc://Host.Example.com:443/;use_ssl=true'), 'sparkls.token/host.example.com:443');
    assert.equal(tokenKey('sc://host'), 'sparkls.token/host:15002');
    assert.equal(tokenKey('sc://host:15002/;token=x'), 'sparkls.token/host:15002');
    assert.equal(tokenKey('sc://[::1]'), 'sparkls.token/[::1]:15002');
    assert.equal(tokenKey('sc://[::1]:9'), 'sparkls.token/[::1]:9');
    assert.equal(tokenKey('local'), undefined);
    assert.equal(tokenKey(''), undefined);
    assert.equal(tokenKey('sc://'), undefined);
  });
});

describe('serverSettings', () => {
  test('keeps only what the server reads, nested', () => {
    const got = serverSettings({
      path: '/opt/sparkls',
      remote: 'sc://h:15002',
      preview: { rows: 5, bytes: 4096 },
      readOnly: true,
      trace: { server: 'verbose' },
    });
    assert.deepEqual(got, { remote: 'sc://h:15002', preview: { rows: 5, bytes: 4096 }, readOnly: true });
  });

  test('flat names, missing values and junk', () => {
    assert.deepEqual(serverSettings({ 'preview.rows': 7 }), { preview: { rows: 7 } });
    assert.deepEqual(serverSettings(null), {});
    assert.deepEqual(serverSettings([1, 2]), {});
  });

  test('does not share objects with its input', () => {
    const input = { preview: { rows: 5 } };
    const got = serverSettings(input) as { preview: { rows: number } };
    got.preview.rows = 6;
    assert.equal(input.preview.rows, 5);
  });

  test('the generated list matches lsp.SettingsTable', () => {
    assert.ok(ServerSettings.includes('sparkls.remote'));
    assert.ok(ServerSettings.includes('sparkls.preview.rows'));
    assert.ok(!ServerSettings.includes('sparkls.trace.server'));
    assert.ok(!ServerSettings.includes('sparkls.path'));
  });
});

describe('resolveServerPath', () => {
  const env = (exists: boolean) => ({
    extensionPath: '/ext',
    platform: 'linux' as NodeJS.Platform,
    home: '/home/u',
    workspaceFolder: '/ws',
    exists: () => exists,
  });
  test('the setting first, expanded', () => {
    assert.deepEqual(resolveServerPath('/usr/bin/sparkls', env(true)), { command: '/usr/bin/sparkls', source: 'setting' });
    assert.deepEqual(resolveServerPath('~/go/bin/sparkls', env(true)), { command: '/home/u/go/bin/sparkls', source: 'setting' });
    assert.deepEqual(resolveServerPath('${workspaceFolder}/bin/sparkls', env(true)), { command: '/ws/bin/sparkls', source: 'setting' });
    assert.deepEqual(resolveServerPath('bin/sparkls', env(true)), { command: '/ws/bin/sparkls', source: 'setting' });
    assert.deepEqual(resolveServerPath('sparkls-dev', env(true)), { command: 'sparkls-dev', source: 'setting' });
  });
  test('then the bundled binary, PATH, the cache, Go\'s bin; else missing', () => {
    assert.deepEqual(resolveServerPath('  ', env(true)), { command: '/ext/bin/sparkls', source: 'bundled' });
    const only = (file: string, vars: Record<string, string> = {}, platform: NodeJS.Platform = 'linux') => ({
      ...env(false),
      platform,
      env: { PATH: '.:bin:/usr/local/bin:/opt/x/bin', GOPATH: '/gp', ...vars },
      exists: (f: string) => f === file,
    });
    assert.deepEqual(resolveServerPath(undefined, only('/opt/x/bin/sparkls')), { command: '/opt/x/bin/sparkls', source: 'PATH' });
    // A relative PATH entry is never searched: it would be the workspace.
    assert.deepEqual(resolveServerPath(undefined, only('bin/sparkls')), { command: 'sparkls', source: 'missing' });
    assert.deepEqual(resolveServerPath(undefined, only('sparkls')), { command: 'sparkls', source: 'missing' });
    assert.deepEqual(resolveServerPath(undefined, only('/home/u/.cache/sparkls/bin/sparkls')), {
      command: '/home/u/.cache/sparkls/bin/sparkls',
      source: 'cache',
    });
    assert.deepEqual(resolveServerPath(undefined, only('/xdg/sparkls/bin/sparkls', { XDG_CACHE_HOME: '/xdg' })), {
      command: '/xdg/sparkls/bin/sparkls',
      source: 'cache',
    });
    assert.deepEqual(resolveServerPath(undefined, only('/home/u/Library/Caches/sparkls/bin/sparkls', {}, 'darwin')), {
      command: '/home/u/Library/Caches/sparkls/bin/sparkls',
      source: 'cache',
    });
    assert.deepEqual(resolveServerPath(undefined, only('/gp/bin/sparkls')), { command: '/gp/bin/sparkls', source: 'go' });
    assert.deepEqual(resolveServerPath(undefined, only('/home/u/go/bin/sparkls')), { command: '/home/u/go/bin/sparkls', source: 'go' });
    assert.deepEqual(resolveServerPath('', { ...env(false), platform: 'win32' }), { command: 'sparkls.exe', source: 'missing' });
    assert.deepEqual(
      resolveServerPath('', {
        ...env(false),
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        exists: (f) => f === 'C:\\Users\\u\\AppData\\Local\\sparkls\\bin\\sparkls.exe',
      }),
      { command: 'C:\\Users\\u\\AppData\\Local\\sparkls\\bin\\sparkls.exe', source: 'cache' },
    );
  });
});
