// OpenMID portal: poll a presentation request's result and show it (no framework, no inline script).
(() => {
  const box = document.getElementById('result');
  if (!box) return;
  const url = box.dataset.poll;
  const labels = JSON.parse(box.dataset.labels || '{}');
  const text = (k) => box.dataset[`text${k}`] || k;
  const lang = box.dataset.lang === 'en' ? 'en' : 'ko';
  const el = (tag, props, ...children) => {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children) e.append(c);
    return e;
  };
  const value = (v) => {
    if (typeof v === 'string' && /^data:image\/(png|jpeg|webp);base64,/.test(v)) {
      return el('img', { src: v, alt: labels.portrait || 'portrait', className: 'portrait' });
    }
    if (typeof v === 'boolean') return v ? '✓ true' : '✗ false';
    if (Array.isArray(v)) return v.join(', ');
    if (v && typeof v === 'object') return Object.values(v).join(' ~ ');
    return String(v);
  };
  const show = (r) => {
    box.replaceChildren();
    if (r.status === 'verified') {
      box.className = 'result verified';
      box.append(el('p', { className: 'result-title' }, `✔ ${text('Verified')}`));
      for (const [, list] of Object.entries(r.credentials || {})) {
        for (const c of list) {
          const table = el('table');
          const body = el('tbody');
          const issuer = c.issuer?.name ? c.issuer.name[lang] : c.issuer?.id;
          body.append(
            el(
              'tr',
              {},
              el('th', { scope: 'row', textContent: text('Issuer') }),
              el('td', { textContent: issuer || '' }),
            ),
          );
          for (const [k, v] of Object.entries(c.claims || {})) {
            const row = el(
              'tr',
              {},
              el('th', { scope: 'row', textContent: labels[k] || k }),
              el('td', {}, value(v)),
            );
            row.setAttribute('data-claim', k);
            body.append(row);
          }
          table.append(body);
          box.append(table);
        }
      }
      return true;
    }
    if (r.status === 'refused') {
      box.className = 'result refused';
      box.append(el('p', { className: 'result-title' }, text('Refused')));
      return true;
    }
    if (r.status === 'expired' || r.code === 'ERR_VP_RESULT_GONE') {
      box.className = 'result expired';
      box.append(el('p', {}, text('Expired')));
      return true;
    }
    box.textContent = text('Waiting');
    return false;
  };
  const poll = async () => {
    let r;
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      r = await res.json();
    } catch {
      setTimeout(poll, 1200); // network hiccup: ask again
      return;
    }
    // A verified result is delivered once: whatever happens while drawing it, never poll again.
    if (r && (r.status === 'verified' || r.status === 'refused' || r.status === 'expired')) {
      try {
        show(r);
      } catch {
        box.textContent = text(r.status === 'verified' ? 'Verified' : 'Expired');
      }
      return;
    }
    if (!show(r || {})) setTimeout(poll, 1200);
  };
  setTimeout(poll, 800);
})();
