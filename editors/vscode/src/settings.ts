// Pure helpers for the settings the extension sends to the server and for
// finding the server binary. No vscode import: `node --test` covers it
// (test/settings.test.ts).

import * as path from 'node:path';
import { ServerSettings } from './names';

/**
 * The settings object the server gets (initializationOptions and answers to
 * workspace/configuration): only the settings the server reads, nested as
 * VS Code nests them ({"remote", "preview": {"rows"}}). section is the
 * "sparkls" section as VS Code returns it; editor-only settings
 * (sparkls.path) are left out so the server does not warn about names it
 * does not know. The token is never in here: see serverEnv.
 */
export function serverSettings(section: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = isObject(section) ? section : {};
  for (const name of ServerSettings) {
    const keys = name.split('.').slice(1); // drop "sparkls"
    const v = lookup(src, keys);
    if (v !== undefined) {
      store(out, keys, structuredCloneJson(v));
    }
  }
  return out;
}

/** The environment variable the server reads a token from (Spark's own name). */
export const TokenEnv = 'SPARK_CONNECT_AUTHENTICATE_TOKEN';

/**
 * The server process's environment: ours, plus the token from SecretStorage.
 * The token goes to the server this way, never in LSP messages, so a
 * verbose trace of the protocol cannot show it.
 */
export function serverEnv(base: NodeJS.ProcessEnv, token?: string): NodeJS.ProcessEnv {
  const env = { ...base };
  if (token) {
    env[TokenEnv] = token;
  }
  return env;
}

/**
 * The SecretStorage key of the token for a remote: one token per host and
 * port, so a token set for one cluster is never sent to another. undefined
 * when the remote is not an sc:// remote.
 */
export function tokenKey(remote: string): string | undefined {
  const r = remote.trim();
  if (!r.toLowerCase().startsWith('sc://')) {
    return undefined;
  }
  let authority = r.slice('sc://'.length).split('/')[0].toLowerCase();
  if (authority === '') {
    return undefined;
  }
  if (!/:\d+$/.test(authority) || authority.endsWith(']')) {
    authority += ':15002'; // the default port, as the server fills it in
  }
  return `sparkls.token/${authority}`;
}

/**
 * Where resolveServerPath found the server, for the log. 'missing': nowhere;
 * command is then the name that was looked for.
 */
export interface ServerPath {
  command: string;
  source: 'setting' | 'bundled' | 'PATH' | 'cache' | 'go' | 'missing';
}

/** What resolveServerPath looks at besides the setting. */
export interface ServerPathEnv {
  extensionPath: string;
  platform: NodeJS.Platform;
  home?: string;
  workspaceFolder?: string;
  exists: (file: string) => boolean;
  /** The process environment (PATH, XDG_CACHE_HOME, LOCALAPPDATA, GOBIN, GOPATH). */
  env?: Record<string, string | undefined>;
}

/**
 * The user's cache directory for sparkls, as Go's os.UserCacheDir gives it
 * to `sparkls server` (XDG_CACHE_HOME or ~/.cache, ~/Library/Caches,
 * %LocalAppData%), joined with "sparkls"; undefined when unknown.
 */
export function userCacheDir(e: ServerPathEnv): string | undefined {
  const env = e.env ?? {};
  const p = e.platform === 'win32' ? path.win32 : path.posix;
  let base: string | undefined;
  if (e.platform === 'win32') {
    base = env.LOCALAPPDATA;
  } else if (e.platform === 'darwin') {
    base = e.home && p.join(e.home, 'Library', 'Caches');
  } else {
    base = env.XDG_CACHE_HOME && p.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : e.home && p.join(e.home, '.cache');
  }
  return base ? p.join(base, 'sparkls') : undefined;
}

/** Where an install from the extension puts the binary: <cache>/sparkls/bin. */
export function installDir(e: ServerPathEnv): string | undefined {
  const dir = userCacheDir(e);
  return dir && (e.platform === 'win32' ? path.win32 : path.posix).join(dir, 'bin');
}

/**
 * The absolute path of program file (e.g. "go", "sparkls.exe") in an
 * absolute directory of PATH; relative entries (".", "bin") are skipped.
 */
export function findProgram(file: string, env: ServerPathEnv): string | undefined {
  const p = env.platform === 'win32' ? path.win32 : path.posix;
  const vars = env.env ?? {};
  for (const dir of (vars.PATH ?? vars.Path ?? '').split(p.delimiter)) {
    if (dir !== '' && p.isAbsolute(dir) && env.exists(p.join(dir, file))) {
      return p.join(dir, file);
    }
  }
  return undefined;
}

/**
 * The server binary: the sparkls.path setting (with ~ and
 * ${workspaceFolder} expanded), else the binary bundled in the extension's
 * bin/, else sparkls in an absolute directory of PATH, else in the user's
 * cache (<cache>/sparkls/bin, where the extension installs it), else in
 * Go's bin directory ($GOBIN, $GOPATH/bin, ~/go/bin: `go install`). Only
 * absolute paths are returned when found: a relative PATH entry would find
 * a program of the workspace, which sparkls never runs. 'missing' when none
 * exists.
 */
export function resolveServerPath(setting: string | undefined, env: ServerPathEnv): ServerPath {
  const exe = env.platform === 'win32' ? 'sparkls.exe' : 'sparkls';
  const configured = (setting ?? '').trim();
  if (configured !== '') {
    let p = configured;
    if (env.workspaceFolder !== undefined) {
      p = p.replace(/\$\{workspaceFolder\}/g, env.workspaceFolder);
    }
    if (env.home !== undefined && (p === '~' || p.startsWith('~/'))) {
      p = env.home + p.slice(1);
    }
    if (!path.isAbsolute(p) && p.includes('/') && env.workspaceFolder !== undefined) {
      p = path.join(env.workspaceFolder, p);
    }
    return { command: p, source: 'setting' };
  }
  const p = env.platform === 'win32' ? path.win32 : path.posix;
  const bundled = p.join(env.extensionPath, 'bin', exe);
  if (env.exists(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  const vars = env.env ?? {};
  const onPath = findProgram(exe, env);
  if (onPath) {
    return { command: onPath, source: 'PATH' };
  }
  const cached = installDir(env);
  if (cached && env.exists(p.join(cached, exe))) {
    return { command: p.join(cached, exe), source: 'cache' };
  }
  const goBins = [vars.GOBIN, ...(vars.GOPATH ?? '').split(p.delimiter).map((d) => d && p.join(d, 'bin')), env.home && p.join(env.home, 'go', 'bin')];
  for (const dir of goBins) {
    if (dir && p.isAbsolute(dir) && env.exists(p.join(dir, exe))) {
      return { command: p.join(dir, exe), source: 'go' };
    }
  }
  return { command: exe, source: 'missing' };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lookup(obj: Record<string, unknown>, keys: string[]): unknown {
  // VS Code nests dotted names, but a flat {"preview.rows": 5} shape is
  // accepted too.
  const flat = obj[keys.join('.')];
  if (flat !== undefined) {
    return flat;
  }
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) {
      return undefined;
    }
    cur = cur[k];
  }
  return cur;
}

function store(obj: Record<string, unknown>, keys: string[], v: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) {
      cur[k] = {};
    }
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = v;
}

function structuredCloneJson(v: unknown): unknown {
  return v === null || typeof v !== 'object' ? v : JSON.parse(JSON.stringify(v));
}
