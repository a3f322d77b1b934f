/**
 * @module http/html
 * The few HTML pages the issuer serves (demo sign-in, the citizen's lost-phone pages): escaping and
 * a page shell with a restrictive Content-Security-Policy (no script, inline styles only).
 */
import type { AppEnv } from '@openmid/server-kit';
import type { Context } from 'hono';

/** HTML-escape text. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A small HTML page with a restrictive CSP (inline styles only, same-origin forms). */
export function page(
  c: Context<AppEnv>,
  title: string,
  body: string,
  options: { readonly status?: 200 | 400 | 403; readonly formAction?: boolean } = {},
): Response {
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...(options.formAction === false ? [] : ["form-action 'self'"]),
  ].join('; ');
  const html = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}code{word-break:break-all}</style></head><body>${body}</body></html>`;
  return c.html(html, options.status ?? 200, {
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
  });
}
