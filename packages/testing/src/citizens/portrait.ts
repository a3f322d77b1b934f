/**
 * @module citizens/portrait
 * A tiny placeholder portrait: an SVG silhouette on a passport-photo (3.5 × 4.5) canvas as a
 * `data:` URI, a few hundred bytes, so demo credentials stay small. Real portraits are JPEGs.
 */

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 35 45">' +
  '<rect width="35" height="45" fill="#e3e8ef"/>' +
  '<circle cx="17.5" cy="17" r="8" fill="#8393a7"/>' +
  '<path d="M4 45c0-10 6-15.5 13.5-15.5S31 35 31 45z" fill="#8393a7"/></svg>';

/** The placeholder portrait as a base64 `data:image/svg+xml` URI (≈ 370 characters). */
export const PORTRAIT_PLACEHOLDER: string = `data:image/svg+xml;base64,${btoa(SVG)}`;
