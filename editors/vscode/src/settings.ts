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

/** Where resolveServerPath found the server, for the log. */
export interface ServerPath {
  command: string;
  source: 'setting' | 'bundled' | 'PATH';
}

/**
 * The server binary: the sparkls.path setting (with ~ and
 * ${workspaceFolder} expanded), else the binary bundled in the extension's
 * bin/ (when exists says it is there), else "sparkls" on PATH.
 */
export function resolveServerPath(
  setting: string | undefined,
  env: {
    extensionPath: string;
    platform: NodeJS.Platform;
    home?: string;
    workspaceFolder?: string;
    exists: (file: string) => boolean;
  },
): ServerPath {
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
  const bundled = path.join(env.extensionPath, 'bin', exe);
  if (env.exists(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  return { command: exe, source: 'PATH' };
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

/** paramValue is the JSON value an input box's text binds (see askParams). */
export function paramValue(typed: string): unknown {
  const t = typed.trim();
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) {
    return Number(t);
  }
  if (t === 'true' || t === 'false') {
    return t === 'true';
  }
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) {
    return t.slice(1, -1);
  }
  return typed;
}
