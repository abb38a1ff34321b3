// The loop: the store's Distill runs (phases, recall before and after, the learning curve of their training job),
// the trainer's jobs, and a canary that searches the query above every 2 s and shows which model answered.
'use strict';

const PHASES = ['EVALUATE_BEFORE', 'TEACHER_SCORING', 'TRAINING', 'DEPLOY', 'REINDEX', 'EVALUATE_AFTER', 'ALIAS_SWAP'];
const versionColours = new Map();
let followTimer = null;
let canaryTimer = null;

async function read(path) {
  const r = await fetch(path, {headers: headers()});
  const json = await r.json();
  if (!r.ok) throw json;
  return json;
}

function recall(e) {
  return e ? e.meanLocal.toFixed(2) + ' / ' + e.meanGlobal.toFixed(2) : '-';
}

async function loadLoop() {
  try {
    const runs = await read('/api/v1/distill/runs');
    $('runs').querySelector('tbody').replaceChildren(...runs.map(r => {
      const tr = row([r.runId, r.collection, r.phasesDone.length + ' of ' + PHASES.length + (r.phasesDone.length ? ': '
        + r.phasesDone[r.phasesDone.length - 1].toLowerCase().replace('_', ' ') : '') + (r.phasesDone.includes('REINDEX') || !r.reindexed
        ? '' : ' (' + r.reindexed + ' re-embedded)'), r.baseVersion + (r.deployedVersion ? ' → ' + r.deployedVersion : ''), recall(r.before),
        recall(r.after), r.jobId || '-']);
      tr.dataset.job = r.jobId;
      tr.addEventListener('click', () => { window.umarvel.lastCurve = curve(r.jobId, tr); });
      return tr;
    }));
    const jobs = (await rpc('Trainer', 'ListJobs', {pageSize: 50})).jobs || [];
    $('jobs').querySelector('tbody').replaceChildren(...jobs.map(j => {
      const tr = row([j.jobId, (j.spec && j.spec.kind || '').replace('JOB_KIND_', ''), (j.state || '').replace('JOB_STATE_', ''),
        j.progress ? (j.progress.step || 0) + ' / ' + (j.progress.totalSteps || '?') : '', j.output || '']);
      tr.dataset.job = j.jobId;
      tr.addEventListener('click', () => { window.umarvel.lastCurve = curve(j.jobId, tr); });
      return tr;
    }));
    say(runs.length + ' Distill runs, ' + jobs.length + ' jobs');
    return {runs: runs.length, jobs: jobs.length};
  } catch (e) {
    say(refusal(e), true);
    return {error: refusal(e)};
  }
}

/** The learning curve of a training job: loss and its chance level (red), validation recall (green), by step. */
async function curve(job, tr) {
  document.querySelectorAll('tr.selected').forEach(x => x.classList.remove('selected'));
  if (tr) tr.classList.add('selected');
  const box = $('curve');
  if (!job) {
    box.textContent = 'this run has not trained yet';
    return 0;
  }
  let c;
  try {
    c = await read('/api/v1/jobs/' + encodeURIComponent(job) + '/curve');
  } catch (e) {
    box.textContent = refusal(e);
    return 0;
  }
  const points = c.points || [];
  const W = 680, H = 180, P = 28;
  const maxStep = Math.max(1, c.total_steps || 0, ...points.map(p => p.step));
  const maxLoss = Math.max(1e-9, ...points.map(p => Math.max(p.loss, p.chance_loss || 0)));
  const x = s => P + (W - 2 * P) * s / maxStep;
  const yLoss = l => H - P - (H - 2 * P) * l / maxLoss;
  const yRecall = r => H - P - (H - 2 * P) * r / 100;
  const path = (f, g) => points.map((p, i) => (i ? 'L' : 'M') + x(p.step).toFixed(1) + ' ' + g(f(p)).toFixed(1)).join(' ');
  const last = points[points.length - 1] || {};
  box.innerHTML = '<svg width="' + W + '" height="' + H + '" role="img" aria-label="learning curve of ' + job + '">'
    + '<path class="loss" d="' + path(p => p.loss, yLoss) + '"/>'
    + '<path class="chance" d="' + path(p => p.chance_loss || 0, yLoss) + '"/>'
    + '<path class="recall" d="' + path(p => p.val_recall, yRecall) + '"/>'
    + points.map(p => '<circle class="loss" r="3" cx="' + x(p.step).toFixed(1) + '" cy="' + yLoss(p.loss).toFixed(1) + '"/>'
      + '<circle class="recall" r="3" cx="' + x(p.step).toFixed(1) + '" cy="' + yRecall(p.val_recall).toFixed(1) + '"/>').join('')
    + '<text x="' + P + '" y="16" font-size="12">' + job + ': loss (red; dashed: chance ' + (last.chance_loss || 0).toFixed(2)
    + '), validation recall (green, last ' + (last.val_recall === undefined ? '-' : last.val_recall.toFixed(1)) + ')</text>'
    + '<text x="' + (W - P) + '" y="' + (H - 8) + '" font-size="11" text-anchor="end">step ' + maxStep + '</text></svg>';
  return points.length;
}

/** One canary search: which model answered the query above, as a coloured mark per answer. */
async function canaryTick() {
  let mark;
  try {
    const r = await api('Search', request('SINGLE'));
    if (!versionColours.has(r.modelVersion)) versionColours.set(r.modelVersion, 'hsl(' + ((210 + versionColours.size * 97) % 360) + ', 55%, 42%)');
    mark = el('span', '', r.modelVersion.slice(0, 6) + ' ' + ((r.hits || [])[0] || {}).did);
    mark.style.background = versionColours.get(r.modelVersion);
  } catch (e) {
    mark = el('span', '', refusal(e));
    mark.style.background = '#b3261e';
  }
  const strip = $('canary-strip');
  strip.appendChild(mark);
  while (strip.children.length > 60) strip.removeChild(strip.firstChild);
  return mark.textContent;
}

$('load-loop').addEventListener('click', () => { window.umarvel.lastLoop = loadLoop(); });
$('follow').addEventListener('change', () => {
  clearInterval(followTimer);
  if ($('follow').checked) followTimer = setInterval(loadLoop, 2000);
});
$('canary').addEventListener('change', () => {
  clearInterval(canaryTimer);
  if ($('canary').checked) canaryTimer = setInterval(canaryTick, 2000);
});
Object.assign(window.umarvel, {loadLoop, curve, canaryTick});
