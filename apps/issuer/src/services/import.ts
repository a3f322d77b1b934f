/**
 * @module services/import
 * Importing the agency's register (issue 3 §2: "an admin API and a CLI import it (CSV / JSON
 * Lines), validated with the profile's schemas").
 *
 * - JSON Lines: one object per line, `{"citizen_id": "…", "type": "driving-licence", "claims":
 *   {…}, "idp_subject": "…"?}`.
 * - CSV (RFC 4180, header row): `citizen_id,type[,idp_subject],<claim>,…`; a nested claim is a
 *   dotted column (`aptitude_test_period.start`), a list claim is `|`-separated, empty cells are
 *   absent claims.
 *
 * Every row is validated with the profile (`buildSubjectClaims` on today's date); rows that fail
 * are reported by line number with the claim PATHS only (never values), the others are stored in
 * chunks of 500 rows per transaction, each chunk audited as one `register.import` entry with its
 * count. Importing the same file again replaces the records (idempotent).
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { findCredentialType } from '@openmid/profile-kr';
import { appendAudit } from '@openmid/server-kit';
import { type IssuerContext, nowDate } from '../context.js';
import { CITIZEN_ID, type RegisterRecord, storeRecords, validateRecord } from './register.js';

/** Most rows accepted in one import. */
export const MAX_IMPORT_ROWS = 100_000;

/** A rejected row. */
export interface ImportRejection {
  readonly line: number;
  readonly code: string;
  /** Claim paths that failed (for ERR_PROFILE_CLAIMS_INVALID). */
  readonly paths?: readonly (readonly (string | number)[])[];
}

/** The outcome of an import. */
export interface ImportResult {
  readonly imported: number;
  readonly rejected: readonly ImportRejection[];
}

/** Split CSV text into rows of fields (RFC 4180: quotes, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (quoted) throw new OpenMidError('ERR_ISSUER_IMPORT_INVALID', 'Unterminated quoted CSV field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

interface RawRow {
  readonly line: number;
  readonly citizenId: unknown;
  readonly type: unknown;
  readonly claims: unknown;
  readonly idpSubject: unknown;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    const next = Object.hasOwn(o, k) ? o[k] : undefined;
    if (typeof next !== 'object' || next === null) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(o, k, { value: created, enumerable: true, writable: true });
      o = created;
    } else o = next as Record<string, unknown>;
  }
  Object.defineProperty(o, path[path.length - 1] as string, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function csvRows(text: string): RawRow[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (header === undefined || header[0] !== 'citizen_id' || header[1] !== 'type') {
    throw new OpenMidError(
      'ERR_ISSUER_IMPORT_INVALID',
      'The CSV header must start with citizen_id,type',
    );
  }
  return rows.slice(1).map((cells, n) => {
    const type = cells[1];
    let arrays = new Set<string>();
    try {
      const t = findCredentialType(type ?? '');
      arrays = new Set(t.claims.filter((c) => c.type === 'string-array').map((c) => c.name));
    } catch {
      // reported when validated
    }
    const claims: Record<string, unknown> = {};
    let idpSubject: string | undefined;
    header.forEach((col, i) => {
      const cell = cells[i] ?? '';
      if (i < 2 || cell === '') return;
      if (col === 'idp_subject') {
        idpSubject = cell;
        return;
      }
      const value = arrays.has(col) ? cell.split('|') : cell;
      setPath(claims, col.split('.'), value);
    });
    return { line: n + 2, citizenId: cells[0], type, claims, idpSubject };
  });
}

function jsonlRows(text: string): RawRow[] {
  const out: RawRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.push({
        line: i + 1,
        citizenId: undefined,
        type: undefined,
        claims: undefined,
        idpSubject: undefined,
      });
      return;
    }
    const o = value as Record<string, unknown>;
    out.push({
      line: i + 1,
      citizenId: o['citizen_id'],
      type: o['type'],
      claims: o['claims'],
      idpSubject: o['idp_subject'],
    });
  });
  return out;
}

/**
 * Import register records from CSV or JSON Lines text.
 *
 * @example
 * ```ts
 * const r = await importRegister(ctx, { text, format: 'jsonl', actor: 'apikey:…' })
 * // { imported: 998, rejected: [{ line: 17, code: 'ERR_PROFILE_CLAIMS_INVALID', paths: [['rrn']] }] }
 * ```
 */
export async function importRegister(
  ctx: IssuerContext,
  input: { readonly text: string; readonly format: 'csv' | 'jsonl'; readonly actor: string },
): Promise<ImportResult> {
  const raw = input.format === 'csv' ? csvRows(input.text) : jsonlRows(input.text);
  if (raw.length > MAX_IMPORT_ROWS) {
    throw new OpenMidError('ERR_ISSUER_IMPORT_INVALID', 'Too many rows in one import', {
      details: { limit: MAX_IMPORT_ROWS },
    });
  }
  const now = nowDate(ctx);
  const good: RegisterRecord[] = [];
  const rejected: ImportRejection[] = [];
  for (const r of raw) {
    if (typeof r.citizenId !== 'string' || !CITIZEN_ID.test(r.citizenId)) {
      rejected.push({ line: r.line, code: 'ERR_INPUT_INVALID', paths: [['citizen_id']] });
      continue;
    }
    if (
      r.idpSubject !== undefined &&
      (typeof r.idpSubject !== 'string' || r.idpSubject.length > 200)
    ) {
      rejected.push({ line: r.line, code: 'ERR_INPUT_INVALID', paths: [['idp_subject']] });
      continue;
    }
    try {
      const type = validateRecord(String(r.type), r.claims, now);
      good.push({
        citizenId: r.citizenId,
        type,
        claims: r.claims as Record<string, unknown>,
        ...(typeof r.idpSubject === 'string' ? { idpSubject: r.idpSubject } : {}),
      });
    } catch (e) {
      if (!isOpenMidError(e)) throw e;
      const paths = e.details?.['paths'] as (string | number)[][] | undefined;
      rejected.push({ line: r.line, code: e.code, ...(paths === undefined ? {} : { paths }) });
    }
  }
  const CHUNK = 500;
  for (let i = 0; i < good.length; i += CHUNK) {
    const chunk = good.slice(i, i + CHUNK);
    await ctx.sql.transaction(async (tx) => {
      await storeRecords(tx, ctx, chunk);
      await appendAudit(tx, {
        actor: input.actor,
        action: 'register.import',
        details: { records: chunk.length, format: input.format },
      });
    });
  }
  return { imported: good.length, rejected: rejected.slice(0, 1000) };
}
