// The sample page: uploads each chosen image to POST /images with a progress bar, then shows the original
// beside its CI variants with their image_info. Plain script, no build.
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

function upload(file) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.querySelector('.name').textContent = file.name;
  const progress = card.querySelector('progress');
  const status = card.querySelector('.status');
  uploads.prepend(card);
  status.textContent = 'Uploading…';

  const body = new FormData();
  body.append('file', file);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/images');
  xhr.responseType = 'json';
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
  };
  xhr.onerror = () => fail('The network failed during the upload.');
  xhr.onload = async () => {
    const result = xhr.response;
    if (xhr.status !== 201 || !result) {
      fail((result && result.message) || `Upload failed with status ${xhr.status}`);
      return;
    }
    progress.value = 100;
    status.textContent = `Stored as ${result.key} (${formatBytes(result.size)}), CI request ${result.requestId || '-'}`;
    const links = await fetch(`/images/${encodeURIComponent(result.key)}`).then((r) => r.json());
    const images = card.querySelector('.images');
    images.append(figure('original', links.url, { ...result.imageInfo.originalInfo, size: result.size }));
    const names = Object.keys(links.variants);
    result.imageInfo.processResults.forEach((variant, i) => {
      images.append(figure(names[i] || variant.key, links.variants[names[i]], variant));
    });
    card.classList.add('done');
  };
  xhr.send(body);

  function fail(message) {
    card.classList.add('failed');
    progress.hidden = true;
    status.textContent = message;
    showError(`${file.name}: ${message}`);
  }
}

function handle(files) {
  errorBox.hidden = true;
  for (const file of files) upload(file);
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
