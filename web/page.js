// The page's controls around nca.js's NcaGrid: one grid per exported model, a shared seed
// angle, bite / seed clicks, pause, step, reset and speed; and the test mode eqnca's browser
// test drives (?test=N&size=S&angle=DEG[&bench=STEPS]).
//
// Angles are degrees counter-clockwise, as in eqnca. A model over C_N has N seed fibers (the
// seed cell's oriented fields acted on by each rotation); an angle picks the nearest one, so a
// C4 model turns in 90° steps, C8 in 45°, and the non-equivariant baselines (one fiber) do not
// turn at all: a single-cell seed has no orientation for them.
'use strict';

(function () {
  const models = window.EQNCA_MODELS || [];
  const settings = window.EQNCA_PAGE || {grid: 72};
  const query = new URLSearchParams(location.search);
  const testing = query.has('test');
  const size = parseInt(query.get('size') || settings.grid, 10);
  const $ = (id) => document.getElementById(id);

  // The rotation element of a model nearest to `degrees`, and its angle.
  function fiberFor(model, degrees) {
    const n = model.seeds.length;
    const k = ((Math.round((degrees * n) / 360) % n) + n) % n;
    return {fiber: model.seedFibers[k], degrees: (360 * k) / n};
  }

  function makePanel(model) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    const caption = document.createElement('figcaption');
    figure.append(canvas, caption);
    $('grids').append(figure);
    model.seedFibers = model.seeds.map((s) => window.eqnca.decodeFloats(s));
    const grid = new window.eqnca.NcaGrid(model, canvas, size, size);
    return {model, grid, canvas, caption};
  }

  // Recorded here too: from file:// the window's error event sees only "Script error.".
  let panels;
  try {
    panels = models.map(makePanel);
  } catch (e) {
    window.eqncaErrors.push(String(e && e.message ? e.message : e));
    throw e;
  }
  const centre = {x: Math.floor(size / 2), y: Math.floor(size / 2)};
  let angle = parseFloat(query.get('angle') || '0');

  function describe(panel) {
    const m = panel.model, turned = fiberFor(m, angle).degrees;
    const orientation = m.seeds.length > 1
      ? `seed turned ${turned}° (${m.group}: steps of ${360 / m.seeds.length}°)`
      : 'not equivariant: its one-cell seed looks the same at every angle';
    panel.caption.textContent = `${m.label} — model ${m.name}, ${m.channels} channels; ${orientation}`;
  }

  function seedAt(x, y) {
    for (const p of panels) p.grid.setCell(x, y, fiberFor(p.model, angle).fiber);
  }

  function reset() {
    for (const p of panels) { p.grid.clear(); describe(p); }
    seedAt(centre.x, centre.y);
    drawAll();
  }

  function drawAll() { for (const p of panels) p.grid.draw(); }

  // The test mode: every cell fires (fire rate 1), so the run is eqnca's rollout with a ones mask.
  function runTest() {
    const steps = parseInt(query.get('test'), 10);
    const result = {status: 'done', steps, size, angle, errors: window.eqncaErrors, models: []};
    reset();
    for (const p of panels) {
      for (let t = 0; t < steps; ++t) p.grid.step(1.0);
      p.grid.checkErrors('the test steps');
      result.models.push({label: p.model.label, name: p.model.name, channels: p.grid.channels,
                          height: size, width: size, angle_deg: fiberFor(p.model, angle).degrees,
                          state: window.eqnca.encodeFloats(p.grid.read())});
    }
    drawAll();
    if (query.has('bench')) {
      const benchSteps = parseInt(query.get('bench'), 10);
      result.bench = panels.map((p) => {
        p.grid.read();  // waits for the queued work, so the clock measures the steps alone
        const start = performance.now();
        for (let t = 0; t < benchSteps; ++t) p.grid.step();
        p.grid.read();
        const seconds = (performance.now() - start) / 1000;
        return {name: p.model.name, steps: benchSteps, seconds, steps_per_second: benchSteps / seconds,
                renderer: rendererName(p.grid.gl)};
      });
    }
    return result;
  }

  function rendererName(gl) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  }

  if (testing) {
    let result;
    try {
      result = runTest();
    } catch (e) {
      window.eqncaErrors.push(String(e && e.message ? e.message : e));
      result = {status: 'failed', errors: window.eqncaErrors, models: []};
    }
    $('eqnca-result').textContent = JSON.stringify(result);
    return;
  }

  // The live page.
  let running = true, stepsPerFrame = 2, frames = 0, stepsDone = 0, clock = performance.now();
  const maxOrder = Math.max(4, ...models.map((m) => m.seeds.length));
  $('angle').step = String(360 / maxOrder);

  function setAngle(degrees) {
    angle = ((degrees % 360) + 360) % 360;
    $('angle').value = String(angle);
    $('angle-value').textContent = `${angle}°`;
    reset();
  }

  $('turn-left').onclick = () => setAngle(angle + 90);
  $('turn-right').onclick = () => setAngle(angle - 90);
  $('angle').oninput = () => setAngle(parseFloat($('angle').value));
  $('run').onclick = () => { running = !running; $('run').textContent = running ? 'pause' : 'run'; };
  $('step').onclick = () => { for (const p of panels) p.grid.step(); stepsDone += 1; drawAll(); };
  $('reset').onclick = reset;
  $('speed').oninput = () => {
    stepsPerFrame = parseInt($('speed').value, 10);
    $('speed-value').textContent = `${stepsPerFrame} step${stepsPerFrame > 1 ? 's' : ''} / frame`;
  };
  $('speed').oninput();

  for (const p of panels) {
    p.canvas.addEventListener('pointerdown', (e) => {
      const r = p.canvas.getBoundingClientRect();
      const x = Math.floor(((e.clientX - r.left) / r.width) * size);
      const y = Math.floor(((e.clientY - r.top) / r.height) * size);
      if ($('tool').value === 'seed') {
        seedAt(x, y);
      } else {
        for (const q of panels) q.grid.bite(x, y, parseFloat($('radius').value));
      }
      drawAll();
    });
  }

  function frame() {
    if (running) {
      for (let i = 0; i < stepsPerFrame; ++i) for (const p of panels) p.grid.step();
      stepsDone += stepsPerFrame;
    }
    drawAll();
    frames += 1;
    const now = performance.now();
    if (now - clock > 1000) {
      $('rate').textContent = `${Math.round((stepsDone * 1000) / (now - clock))} steps/s, ${
        Math.round((frames * 1000) / (now - clock))} frames/s`;
      stepsDone = 0; frames = 0; clock = now;
    }
    requestAnimationFrame(frame);
  }

  setAngle(angle);
  requestAnimationFrame(frame);
})();
