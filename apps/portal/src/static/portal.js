// OpenMID portal: poll a presentation request's result and show it (no framework, no inline script).
(() => {
  const box = document.getElementById('result');
  if (!box?.dataset.poll) return;
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

// The police checkpoint in person: poll the server-side reading; scan the QR code with the camera.
(() => {
  const box = document.getElementById('result');
  const url = box?.dataset.readingPoll;
  if (box && url) {
    const el = (tag, props, ...children) => {
      const e = document.createElement(tag);
      Object.assign(e, props || {});
      for (const c of children) e.append(c);
      return e;
    };
    const started = Date.now();
    const show = (r) => {
      box.dataset.outcome = r.outcome;
      box.className = `result ${r.outcome === 'waiting' ? '' : r.outcome}`;
      if (r.outcome === 'verified') {
        const body = el('tbody');
        for (const row of r.rows || []) {
          let cell;
          if (row.image)
            cell = el(
              'td',
              {},
              el('img', { src: row.image, alt: row.alt || '', className: 'portrait' }),
            );
          else if (row.lines)
            cell = el(
              'td',
              {},
              el(
                'ul',
                { className: 'privileges' },
                ...row.lines.map((l) => el('li', { textContent: l })),
              ),
            );
          else cell = el('td', { textContent: row.text || '' });
          const tr = el('tr', {}, el('th', { scope: 'row', textContent: row.label }), cell);
          tr.setAttribute('data-claim', row.id);
          body.append(tr);
        }
        box.replaceChildren(
          el('p', { className: 'result-title', textContent: `✔ ${r.title}` }),
          el('table', {}, body),
        );
      } else if (r.outcome === 'failed') {
        const code = el('code', { textContent: r.code });
        code.setAttribute('data-code', '');
        box.replaceChildren(
          el('p', { className: 'result-title', textContent: `✗ ${r.title}` }),
          el('p', { textContent: r.message }),
          el('p', {}, `${box.dataset.textCode || 'Code'}: `, code),
        );
      }
    };
    const poll = async () => {
      let r;
      try {
        r = await (await fetch(url, { headers: { accept: 'application/json' } })).json();
      } catch {
        r = undefined; // network hiccup: ask again
      }
      if (r && (r.outcome === 'verified' || r.outcome === 'failed')) {
        show(r);
        return;
      }
      if (Date.now() - started < 10 * 60 * 1000) setTimeout(poll, 1500);
    };
    setTimeout(poll, 1000);
  }

  // Camera: BarcodeDetector where the browser has it; pasting always works.
  const scan = document.getElementById('scan');
  const video = document.getElementById('scan-video');
  const area = document.getElementById('engagement');
  const status = document.getElementById('scan-status');
  const form = document.getElementById('in-person-form');
  if (!scan || !video || !area || !form || !('BarcodeDetector' in window)) return;
  let stream;
  let timer;
  const stop = () => {
    clearTimeout(timer);
    for (const track of stream?.getTracks() || []) track.stop();
    stream = undefined;
    video.hidden = true;
    scan.textContent = scan.dataset.textStart;
  };
  window.BarcodeDetector.getSupportedFormats?.()
    .then((formats) => {
      if (!formats.includes('qr_code')) return;
      scan.hidden = false;
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      scan.addEventListener('click', async () => {
        if (stream) return stop();
        try {
          stream = await navigator.mediaDevices.getUserMedia({
            video: { facingMode: 'environment' },
          });
        } catch {
          status.textContent = scan.dataset.textUnavailable;
          return;
        }
        video.srcObject = stream;
        video.hidden = false;
        scan.textContent = scan.dataset.textStop;
        await video.play().catch(() => undefined);
        const look = async () => {
          if (!stream) return;
          try {
            const codes = await detector.detect(video);
            const hit = codes.find(
              (c) => typeof c.rawValue === 'string' && c.rawValue.startsWith('mdoc:'),
            );
            if (hit) {
              area.value = hit.rawValue;
              stop();
              form.requestSubmit();
              return;
            }
          } catch {
            // a frame that cannot be read: try the next one
          }
          timer = setTimeout(look, 300);
        };
        look();
      });
    })
    .catch(() => undefined);
})();
