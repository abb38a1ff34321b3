// The umarvel console: collections, and one query searched in SINGLE, CASCADE and AUTO side by side.
// It calls the orchestrator's JSON face (/api/v1/Retrieval/<Method>: the gRPC API's own calls, token and all).
'use strict';

const MODES = ['SINGLE', 'CASCADE', 'AUTO'];
const $ = id => document.getElementById(id);
const thumbnails = new Map(); // store path -> object URL (fetched once, with the token)
let imageData = null;         // the uploaded query image, base64
let datasetQueries = [];      // what "load queries" fetched
let loading = [];             // the drawn cards' thumbnails still loading (search() resolves once they are in)

function token() {
  return $('token').value.trim();
}

function headers() {
  const h = {'content-type': 'application/json'};
  if (token()) h.authorization = 'Bearer ' + token();
  return h;
}

function say(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

/** One unary RPC of the Retrieval or Trainer service; a refusal is thrown as {code, message}. */
async function rpc(service, method, body) {
  const r = await fetch('/api/v1/' + service + '/' + method, {method: 'POST', headers: headers(), body: JSON.stringify(body || {})});
  const json = await r.json();
  if (!r.ok) throw json;
  return json;
}

function api(method, body) {
  return rpc('Retrieval', method, body);
}

function refusal(e) {
  return e && e.code ? e.code + ': ' + e.message : String(e);
}

async function loadCollections() {
  try {
    const described = (await api('ListCollections')).collections || [];
    const body = $('collections').querySelector('tbody');
    body.replaceChildren(...described.map(c => row([c.name, (c.backend || '').replace('INDEX_BACKEND_', ''), c.modelVersion,
      c.indexVersion, c.unavailable ? 'unavailable: ' + c.unavailable : c.count || 0,
      Object.entries(c.poolCounts || {}).map(([p, n]) => p + ' ' + n).join(', ')])));
    const select = $('collection');
    const chosen = select.value;
    select.replaceChildren(...described.map(c => new Option(c.name, c.name)));
    if (chosen) select.value = chosen;
    say(described.length + ' collections');
  } catch (e) {
    say(refusal(e), true);
  }
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.appendChild(td);
  }
  return tr;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The Search request of the form, in one mode. */
function request(mode) {
  const content = {};
  if ($('text').value.trim()) content.text = $('text').value.trim();
  const picked = datasetQueries[$('dataset-query').value];
  if (imageData) content.image = {data: imageData};
  else if (picked && picked.query.content.image) content.image = picked.query.content.image;
  const r = {collection: $('collection').value, topK: Number($('top-k').value) || 10, mode: 'SEARCH_MODE_' + mode, includeContent: true,
    query: {instruction: $('instruction').value.trim(), content}};
  if ($('pool').value.trim()) r.filter = {pools: [$('pool').value.trim()]};
  return r;
}

async function thumbnail(path) {
  if (!thumbnails.has(path)) {
    thumbnails.set(path, fetch('/api/v1/image?path=' + encodeURIComponent(path), {headers: headers()})
      .then(r => r.ok ? r.blob() : null).then(b => b ? URL.createObjectURL(b) : ''));
  }
  return thumbnails.get(path);
}

function card(hit, positives, cascade) {
  const c = el('div', 'card');
  c.dataset.did = hit.did;
  const content = (hit.candidate || {}).content || {};
  if (content.image && content.image.storePath) {
    const img = el('img');
    img.alt = hit.did;
    loading.push(thumbnail(content.image.storePath).then(url => new Promise(done => {
      img.onload = () => done(true);
      img.onerror = () => done(false);
      img.src = url;
    })));
    c.appendChild(img);
  }
  const body = el('div');
  const title = el('div', '', '#' + hit.rank + '  ' + hit.did);
  if (positives.has(hit.did)) {
    c.classList.add('positive');
    title.appendChild(el('span', 'hit-mark', '  positive'));
  }
  const recallRank = hit.recallRank || hit.rank;
  if (cascade && recallRank !== hit.rank) {
    title.appendChild(el('span', 'moved', '  moved ' + (recallRank > hit.rank ? 'up' : 'down') + ' from #' + recallRank));
  }
  body.appendChild(title);
  if (content.text) body.appendChild(el('div', 'text', content.text));
  const scores = 'recall #' + recallRank + ' cos ' + (hit.recallScore || 0).toFixed(3)
    + (hit.rerankScore !== undefined ? ' · rerank P(Yes) ' + hit.rerankScore.toFixed(3) : '') + ' · score ' + (hit.score || 0).toFixed(3);
  body.appendChild(el('div', 'scores', scores));
  c.appendChild(body);
  return c;
}

function bars(timings) {
  const box = el('div', 'bars');
  const total = Math.max(1, ...timings.map(t => Number(t.micros)));
  for (const t of timings) {
    const b = el('div', 'bar' + (t.stage === 'total' ? ' total' : ''));
    const fill = el('span', 'fill');
    fill.style.width = Math.max(2, 160 * Number(t.micros) / total) + 'px';
    b.append(el('span', '', t.stage.padEnd(7)), fill, el('span', '', (Number(t.micros) / 1000).toFixed(1) + ' ms'));
    box.appendChild(b);
  }
  return box;
}

function column(mode, outcome, positives) {
  const col = el('div', 'mode');
  col.id = 'mode-' + mode;
  col.appendChild(el('h3', '', mode));
  if (outcome.status === 'rejected') {
    col.appendChild(el('div', 'error', refusal(outcome.reason)));
    return col;
  }
  const r = outcome.value;
  const hits = r.hits || [];
  const ran = (r.modeRun || '').replace('SEARCH_MODE_', '');
  let meta = 'ran ' + ran + ' · model ' + r.modelVersion + ' · index v' + r.indexVersion;
  if (mode === 'AUTO') meta += ' · margin ' + (r.observedMargin === undefined ? '-' : r.observedMargin.toFixed(4)) + ' → ' + ran;
  if (r.degraded) meta += ' · DEGRADED: ' + r.degradedReason;
  if (positives.size) meta += ' · ' + hits.filter(h => positives.has(h.did)).length + ' of ' + positives.size + ' positives found';
  col.appendChild(el('div', 'meta', meta));
  col.appendChild(bars(r.timings || []));
  for (const h of hits) col.appendChild(card(h, positives, ran === 'CASCADE'));
  return col;
}

/** Runs the three modes at once and draws them; resolves once drawn and their thumbnails loaded (tests wait on it). */
async function search() {
  const marked = positives();
  say('searching…');
  const started = performance.now();
  const outcomes = await Promise.allSettled(MODES.map(m => api('Search', request(m))));
  const drawStart = performance.now();
  loading = [];
  $('results').replaceChildren(...MODES.map((m, i) => column(m, outcomes[i], marked)));
  const drawn = performance.now();
  window.umarvel.pageMillis = drawn - drawStart;
  await Promise.all(loading);
  const failed = outcomes.filter(o => o.status === 'rejected').length;
  say(failed ? failed + ' of 3 searches refused' : 'searched in ' + Math.round(drawn - started) + ' ms', failed > 0);
  return outcomes;
}

async function loadQueries() {
  const dataset = $('dataset').value.trim();
  const r = await fetch('/api/v1/dataset/queries?per_task=2&dataset=' + encodeURIComponent(dataset), {headers: headers()});
  const json = await r.json();
  if (!r.ok) {
    say(refusal(json), true);
    return [];
  }
  datasetQueries = json;
  $('dataset-query').replaceChildren(new Option('(type a query above)', ''), ...json.map((q, i) =>
    new Option(q.task + ' · ' + q.qid + ' · ' + (q.query.content.text || q.query.content.image.storePath), String(i))));
  say(json.length + ' dataset queries');
  return json;
}

function pick() {
  const q = datasetQueries[$('dataset-query').value];
  $('query-note').textContent = '';
  if (!q) return;
  $('instruction').value = q.query.instruction || '';
  $('text').value = q.query.content.text || '';
  $('pool').value = q.pool;
  imageData = null;
  $('image').value = '';
  const preview = $('image-preview');
  if (q.query.content.image) thumbnail(q.query.content.image.storePath).then(url => { preview.src = url; preview.hidden = false; });
  else preview.hidden = true;
  $('query-note').textContent = 'dataset query ' + q.qid + ' (' + q.task + '): ' + q.positives.length + ' positive(s) marked in green';
}

function upload() {
  const file = $('image').files[0];
  if (!file) {
    imageData = null;
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const reader = new FileReader();
    reader.onload = () => {
      imageData = reader.result.split(',')[1];
      $('image-preview').src = reader.result;
      $('image-preview').hidden = false;
      resolve();
    };
    reader.readAsDataURL(file);
  });
}

/** The positives of the dataset query picked (none for a typed query). */
function positives() {
  const picked = datasetQueries[$('dataset-query').value];
  return new Set(picked ? picked.positives : []);
}

window.umarvel = {search, loadQueries, pick, upload, positives, ready: null, pageMillis: 0};

$('token').value = sessionStorage.getItem('umarvel.token') || '';
$('token').addEventListener('change', () => {
  sessionStorage.setItem('umarvel.token', token());
  window.umarvel.ready = loadCollections();
});
$('search-form').addEventListener('submit', e => { e.preventDefault(); window.umarvel.last = search(); });
$('load-queries').addEventListener('click', () => { window.umarvel.last = loadQueries(); });
$('dataset-query').addEventListener('change', pick);
$('image').addEventListener('change', () => { window.umarvel.last = upload(); });
window.umarvel.ready = loadCollections();
