// The sample page: uploads each chosen image to POST /images with a progress bar that follows the server (bytes
// received, sent to CI, phase: streamed from GET /uploads/<id>/progress), or, in "direct to storage" mode, asks
// POST /direct/ticket for a ticket, sends the file straight to storage with the browser's own progress and
// confirms it with POST /direct/confirm; then shows the original beside its CI variants with their image_info.
// Plain script, no build.
'use strict';

const form = document.getElementById('upload-form');
const input = document.getElementById('file-input');
const uploads = document.getElementById('uploads');
const errorBox = document.getElementById('error');
const template = document.getElementById('upload-template');

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function formatBytes(n) {
  if (n == null) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

function figure(label, url, info) {
  const fig = document.createElement('figure');
  fig.dataset.variant = label;
  const img = document.createElement('img');
  img.src = url;
  img.alt = label;
  img.dataset.width = String(info.width);
  img.dataset.height = String(info.height);
  const caption = document.createElement('figcaption');
  const swatch = info.ave
    ? `<span class="swatch" style="background:#${info.ave.replace(/^0x/, '')}"></span>`
    : '';
  caption.innerHTML =
    `<b>${label}</b>${info.format} · ${info.width}×${info.height}` +
    (info.size != null ? ` · ${formatBytes(info.size)}` : '') +
    ` · quality ${info.quality}` +
    (info.ave ? `<br>${swatch}average colour ${info.ave}` : '');
  fig.append(img, caption);
  return fig;
}

// What each server-side phase means to a person watching.
const PHASES = {
  receiving: 'Server receiving',
  uploading: 'Sending to Cloud Infinite',
  processing: 'Cloud Infinite is processing',
  done: 'Stored and processed',
  failed: 'Failed',
};

function uploadId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

// Opens the server-side progress stream of one upload (Server-Sent Events) and resolves once it is connected,
// so no report is missed. Without it (an old proxy, an error) the upload still goes, with browser progress only.
function watchProgress(id, onProgress) {
  const events = new EventSource(`/uploads/${id}/progress`);
  events.onmessage = (e) => {
    const report = JSON.parse(e.data);
    onProgress(report);
    if (report.phase === 'done' || report.phase === 'failed') events.close();
  };
  return new Promise((resolve) => {
    events.onopen = () => resolve(events);
    events.onerror = () => {
      events.close();
      resolve(events);
    };
  });
}

function newCard(file, mode) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.dataset.mode = mode;
  card.querySelector('.name').textContent = file.name;
  uploads.prepend(card);
  return { card, progress: card.querySelector('progress'), status: card.querySelector('.status') };
}

// The original beside its variants, from the typed result (the same for both modes).
async function showResult(card, result) {
  const links = await fetch(`/images/${encodeURIComponent(result.key)}`).then((r) => r.json());
  const images = card.querySelector('.images');
  images.append(figure('original', links.url, { ...result.imageInfo.originalInfo, size: result.size }));
  const names = Object.keys(links.variants);
  result.imageInfo.processResults.forEach((variant, i) => {
    images.append(figure(names[i] || variant.key, links.variants[names[i]], variant));
  });
  card.classList.add('done');
}

function failCard(file, card, progress, status, message) {
  card.classList.add('failed');
  progress.hidden = true;
  status.textContent = message;
  showError(`${file.name}: ${message}`);
}

async function upload(file) {
  const { card, progress, status } = newCard(file, 'server');
  status.textContent = 'Connecting…';

  // The bar follows the server: bytes acknowledged by CI, out of the file's size; the phase is in the text.
  const id = uploadId();
  const phases = [];
  let answered = false; // once the upload's answer is in, the text is the answer's
  const events = await watchProgress(id, (report) => {
    if (phases[phases.length - 1] !== report.phase) phases.push(report.phase);
    card.dataset.phases = phases.join(',');
    card.dataset.bytesReceived = String(report.bytesReceived);
    card.dataset.bytesSent = String(report.bytesSent);
    progress.value = Math.round((report.bytesSent / Math.max(file.size, 1)) * 100);
    if (answered) return;
    status.textContent =
      `${PHASES[report.phase] || report.phase} · received ${formatBytes(report.bytesReceived)} of ` +
      `${formatBytes(file.size)} · stored at CI ${formatBytes(report.bytesSent)}`;
  });

  const body = new FormData();
  body.append('file', file);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/images');
  xhr.setRequestHeader('X-Upload-Id', id);
  xhr.responseType = 'json';
  xhr.upload.onprogress = (e) => {
    // Until the server reports, say how much the browser has sent.
    if (!phases.length && e.lengthComputable) {
      status.textContent = `Browser sending ${Math.round((e.loaded / e.total) * 100)}%`;
    }
  };
  xhr.onerror = () => fail('The network failed during the upload.');
  xhr.onload = async () => {
    answered = true;
    const result = xhr.response;
    if (xhr.status !== 201 || !result) {
      fail((result && result.message) || `Upload failed with status ${xhr.status}`);
      return;
    }
    progress.value = 100;
    status.textContent = `Stored as ${result.key} (${formatBytes(result.size)}), CI request ${result.requestId || '-'}`;
    await showResult(card, result);
  };
  xhr.send(body);

  function fail(message) {
    answered = true;
    events.close();
    failCard(file, card, progress, status, message);
  }
}

async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { ok: res.ok, status: res.status, body: await res.json().catch(() => null) };
}

// Direct to storage: the bytes go from the browser to COS with a ticket the server signed; the server confirms.
async function uploadDirect(file) {
  const { card, progress, status } = newCard(file, 'direct');
  const fail = (message) => failCard(file, card, progress, status, message);
  status.textContent = 'Asking for a ticket…';
  const asked = await postJson('/direct/ticket', {
    contentType: file.type,
    size: file.size,
    originalName: file.name,
  });
  if (!asked.ok) return fail((asked.body && asked.body.message) || `No ticket (status ${asked.status})`);
  const ticket = asked.body;
  card.dataset.key = ticket.key;
  let body = file;
  if (ticket.fields) {
    body = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) body.append(name, value);
    body.append(ticket.fileField, file);
  }
  const xhr = new XMLHttpRequest();
  xhr.open(ticket.method, ticket.url);
  for (const [name, value] of Object.entries(ticket.headers)) xhr.setRequestHeader(name, value);
  xhr.upload.onprogress = (e) => {
    if (!e.lengthComputable) return;
    progress.value = Math.round((e.loaded / e.total) * 100);
    card.dataset.browserSent = String(Math.min(e.loaded, file.size));
    status.textContent = `Browser sending to storage ${progress.value}%`;
  };
  xhr.onerror = () => fail('The network failed during the upload to storage.');
  xhr.onload = async () => {
    if (xhr.status >= 300) return fail(`Storage refused the upload (status ${xhr.status})`);
    progress.value = 100;
    status.textContent = 'Confirming…';
    const confirmed = await postJson('/direct/confirm', { token: ticket.token });
    if (!confirmed.ok)
      return fail((confirmed.body && confirmed.body.message) || `Not confirmed (status ${confirmed.status})`);
    const result = confirmed.body;
    status.textContent = `Stored directly as ${result.key} (${formatBytes(result.size)}), confirmed`;
    await showResult(card, result);
  };
  xhr.send(body);
}

function handle(files) {
  errorBox.hidden = true;
  const direct = document.querySelector('input[name="mode"]:checked').value === 'direct';
  for (const file of files) (direct ? uploadDirect : upload)(file);
}

input.addEventListener('change', () => {
  handle(input.files);
  input.value = '';
});
['dragenter', 'dragover'].forEach((t) =>
  form.addEventListener(t, (e) => {
    e.preventDefault();
    form.classList.add('over');
  }),
);
['dragleave', 'drop'].forEach((t) =>
  form.addEventListener(t, (e) => {
    e.preventDefault();
    form.classList.remove('over');
  }),
);
form.addEventListener('drop', (e) => handle(e.dataTransfer.files));
