// eqnca's NCA step on WebGL2: the dense 3x3 + 1x1 network `eqnca export --web` writes
// (experiments/evaluation/dense_step.h) and the mechanics of layers/nca_mechanics.h, so a page
// grows exactly what eqnca grows.
//
// Conventions. The state of C channels lives in a TEXTURE_2D_ARRAY of ceil(C/4) RGBA32F layers
// (channel c is component c % 4 of layer c / 4; padded channels stay 0); texel (x, y) is the
// cell at column x, row y, with row 0 on top as in eqnca's tensors. One step is two passes:
//   update: next = s + mask * (b2 + W2 relu(b1 + conv3x3(s)))   (every hidden unit per cell)
//   alive:  out  = next * [3x3 max of alpha(s) > 0.1] * [3x3 max of alpha(next) > 0.1]
// Cells outside the grid read as 0 (zeros padding) or wrap (circular). A pass writes up to
// MAX_DRAW_BUFFERS layers at once; models with more layers run the pass once per group.
// Weights are packed into RGBA32F textures as 4x4 blocks, so each texel fetch carries a column of
// a mat4 and the shader's inner loop is one mat4 * vec4 per (hidden block, tap, state layer).
'use strict';

const ALIVE_THRESHOLD = 0.1;  // layers/nca_mechanics.h: kAliveThreshold

function decodeFloats(base64) {
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function encodeFloats(floats) {
  const bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

// The shared GLSL: reading a state layer at a cell with the model's padding.
function fetchSource(circular) {
  return `
uniform highp sampler2DArray u_state;
uniform ivec2 u_size;
vec4 fetchState(ivec2 p, int layer) {
  ${circular
    ? 'p = (p + u_size) % u_size;'
    : 'if (any(lessThan(p, ivec2(0))) || any(greaterThanEqual(p, u_size))) return vec4(0.0);'}
  return texelFetch(u_state, ivec3(p, layer), 0);
}`;
}

function outputsSource(count) {
  let s = '';
  for (let m = 0; m < count; ++m) s += `layout(location = ${m}) out vec4 o${m};\n`;
  return s;
}

const VERTEX_SOURCE = `#version 300 es
in vec2 a_position;
void main() { gl_Position = vec4(a_position, 0.0, 1.0); }`;

// The update pass for `count` output layers starting at `base`.
function updateSource(layers, hiddenBlocks, base, count, circular) {
  let accumulate = '', write = '';
  for (let m = 0; m < count; ++m) {
    accumulate += `d[${m}] += mat4(texelFetch(u_w2, ivec2(4 * j, ${base + m}), 0),
                      texelFetch(u_w2, ivec2(4 * j + 1, ${base + m}), 0),
                      texelFetch(u_w2, ivec2(4 * j + 2, ${base + m}), 0),
                      texelFetch(u_w2, ivec2(4 * j + 3, ${base + m}), 0)) * h;\n`;
    write += `o${m} = fetchState(cell, ${base + m}) + fire * (texelFetch(u_b2, ivec2(${base + m}, 0), 0) + d[${m}]);\n`;
  }
  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
${fetchSource(circular)}
uniform sampler2D u_w1;  // (4 * 9 * layers, hiddenBlocks): column i of block (layer, tap)
uniform sampler2D u_b1;  // (hiddenBlocks, 1)
uniform sampler2D u_w2;  // (4 * hiddenBlocks, layers)
uniform sampler2D u_b2;  // (layers, 1)
uniform float u_fire_rate;
uniform uint u_seed;
${outputsSource(count)}
// A cell's update mask: a hash of (cell, step), uniform in [0, 1).
float cellRandom(ivec2 cell) {
  uint h = uint(cell.x) * 0x8da6b343u ^ uint(cell.y) * 0xd8163841u ^ u_seed * 0xcb1ab31fu;
  h ^= h >> 16; h *= 0x7feb352du; h ^= h >> 15; h *= 0x846ca68bu; h ^= h >> 16;
  return float(h >> 8) / 16777216.0;
}
void main() {
  ivec2 cell = ivec2(gl_FragCoord.xy);
  vec4 s[${9 * layers}];
  for (int tap = 0; tap < 9; ++tap) {
    ivec2 q = cell + ivec2(tap % 3 - 1, tap / 3 - 1);
    for (int l = 0; l < ${layers}; ++l) s[tap * ${layers} + l] = fetchState(q, l);
  }
  vec4 d[${count}];
  for (int m = 0; m < ${count}; ++m) d[m] = vec4(0.0);
  for (int j = 0; j < ${hiddenBlocks}; ++j) {
    vec4 h = texelFetch(u_b1, ivec2(j, 0), 0);
    for (int k = 0; k < ${9 * layers}; ++k) {
      int col = 4 * k;
      h += mat4(texelFetch(u_w1, ivec2(col, j), 0), texelFetch(u_w1, ivec2(col + 1, j), 0),
                texelFetch(u_w1, ivec2(col + 2, j), 0), texelFetch(u_w1, ivec2(col + 3, j), 0)) * s[k];
    }
    h = max(h, vec4(0.0));
    ${accumulate}
  }
  float fire = cellRandom(cell) < u_fire_rate ? 1.0 : 0.0;
  ${write}
}`;
}

// The alive pass: `next` masked by the alive masks of the state before and after the update.
function aliveSource(base, count, circular) {
  let write = '';
  for (let m = 0; m < count; ++m) write += `o${m} = keep * texelFetch(u_next, ivec3(cell, ${base + m}), 0);\n`;
  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2DArray;
${fetchSource(circular)}
uniform sampler2DArray u_next;
${outputsSource(count)}
vec4 fetchNext(ivec2 p) {
  ${circular
    ? 'p = (p + u_size) % u_size;'
    : 'if (any(lessThan(p, ivec2(0))) || any(greaterThanEqual(p, u_size))) return vec4(0.0);'}
  return texelFetch(u_next, ivec3(p, 0), 0);
}
void main() {
  ivec2 cell = ivec2(gl_FragCoord.xy);
  float before = 0.0, after = 0.0;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      before = max(before, fetchState(cell + ivec2(dx, dy), 0).a);
      after = max(after, fetchNext(cell + ivec2(dx, dy)).a);
    }
  }
  float keep = (before > ${ALIVE_THRESHOLD.toFixed(6)} && after > ${ALIVE_THRESHOLD.toFixed(6)}) ? 1.0 : 0.0;
  ${write}
}`;
}

// Bite: zero every channel within `u_radius` cells of `u_center` (state_image.h's damage_circle).
function biteSource(base, count) {
  let write = '';
  for (let m = 0; m < count; ++m) write += `o${m} = keep * texelFetch(u_state, ivec3(cell, ${base + m}), 0);\n`;
  return `#version 300 es
precision highp float;
precision highp sampler2DArray;
uniform sampler2DArray u_state;
uniform vec2 u_center;
uniform float u_radius;
${outputsSource(count)}
void main() {
  ivec2 cell = ivec2(gl_FragCoord.xy);
  vec2 d = vec2(cell) - u_center;
  float keep = dot(d, d) > u_radius * u_radius ? 1.0 : 0.0;
  ${write}
}`;
}

// Display: RGB premultiplied by alpha, composited over white; row 0 at the top of the canvas.
const DRAW_SOURCE = `#version 300 es
precision highp float;
precision highp sampler2DArray;
uniform sampler2DArray u_state;
uniform ivec2 u_size;
out vec4 color;
void main() {
  ivec2 cell = ivec2(int(gl_FragCoord.x), u_size.y - 1 - int(gl_FragCoord.y));
  vec4 rgba = clamp(texelFetch(u_state, ivec3(cell, 0), 0), 0.0, 1.0);
  color = vec4(rgba.rgb + (1.0 - rgba.a), 1.0);
}`;

class NcaGrid {
  // model: one entry of window.EQNCA_MODELS; canvas: its <canvas>, sized to the grid.
  constructor(model, canvas, width, height) {
    this.model = model;
    this.width = width;
    this.height = height;
    this.channels = model.channels;
    this.hidden = model.hidden;
    this.layers = Math.ceil(this.channels / 4);
    this.hiddenBlocks = Math.ceil(this.hidden / 4);
    this.circular = model.padding === 'circular';
    this.fireRate = model.fire_rate;
    this.stepCount = 0;
    canvas.width = width;
    canvas.height = height;
    const gl = canvas.getContext('webgl2', {antialias: false, preserveDrawingBuffer: true});
    if (!gl) throw new Error('this browser has no WebGL2');
    if (!gl.getExtension('EXT_color_buffer_float')) throw new Error('WebGL2 without EXT_color_buffer_float');
    this.gl = gl;
    this.group = Math.min(gl.getParameter(gl.MAX_DRAW_BUFFERS), this.layers);
    this.buildQuad();
    this.uploadWeights();
    this.state = this.makeStateTexture();
    this.next = this.makeStateTexture();
    this.spare = this.makeStateTexture();
    this.framebuffer = gl.createFramebuffer();
    this.programs = {update: [], alive: [], bite: []};
    for (let base = 0; base < this.layers; base += this.group) {
      const count = Math.min(this.group, this.layers - base);
      this.programs.update.push(
          this.program(updateSource(this.layers, this.hiddenBlocks, base, count, this.circular), base, count));
      this.programs.alive.push(this.program(aliveSource(base, count, this.circular), base, count));
      this.programs.bite.push(this.program(biteSource(base, count), base, count));
    }
    this.drawProgram = this.program(DRAW_SOURCE, 0, 0);
  }

  buildQuad() {
    const gl = this.gl;
    this.quad = gl.createVertexArray();
    gl.bindVertexArray(this.quad);
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  }

  program(fragmentSource, base, count) {
    const gl = this.gl;
    const compile = (type, source) => {
      const shader = gl.createShader(type);
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
        throw new Error('shader compilation failed: ' + gl.getShaderInfoLog(shader));
      }
      return shader;
    };
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl.VERTEX_SHADER, VERTEX_SOURCE));
    gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fragmentSource));
    gl.bindAttribLocation(p, 0, 'a_position');
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error('shader link failed: ' + gl.getProgramInfoLog(p));
    return {handle: p, base, count};
  }

  floatTexture(width, height, data) {
    const gl = this.gl;
    const t = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, data);
    return t;
  }

  makeStateTexture() {
    const gl = this.gl;
    const t = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, t);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.RGBA32F, this.width, this.height, this.layers);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, 0, this.width, this.height, this.layers, gl.RGBA, gl.FLOAT,
                     new Float32Array(4 * this.width * this.height * this.layers));
    return t;
  }

  // Packs conv (hidden, C, 3, 3), b1, w2 (C, hidden), b2 into the 4x4-block textures.
  uploadWeights() {
    const m = this.model, C = this.channels, H = this.hidden, L = this.layers, J = this.hiddenBlocks;
    const conv = decodeFloats(m.conv), b1 = decodeFloats(m.b1), w2 = decodeFloats(m.w2), b2 = decodeFloats(m.b2);
    const w1 = new Float32Array(4 * 9 * L * 4 * J);
    for (let h = 0; h < H; ++h) {
      for (let c = 0; c < C; ++c) {
        for (let tap = 0; tap < 9; ++tap) {
          // Texel (column 4 * (tap * L + layer) + c % 4, row h / 4), component h % 4.
          const col = 4 * (tap * L + Math.floor(c / 4)) + (c % 4);
          w1[4 * (Math.floor(h / 4) * 4 * 9 * L + col) + (h % 4)] = conv[(h * C + c) * 9 + tap];
        }
      }
    }
    const w2Packed = new Float32Array(4 * 4 * J * L);
    for (let c = 0; c < C; ++c) {
      for (let h = 0; h < H; ++h) w2Packed[4 * (Math.floor(c / 4) * 4 * J + h) + (c % 4)] = w2[c * H + h];
    }
    const pad = (v, n) => { const out = new Float32Array(n); out.set(v); return out; };
    this.w1 = this.floatTexture(4 * 9 * L, J, w1);
    this.b1 = this.floatTexture(J, 1, pad(b1, 4 * J));
    this.w2 = this.floatTexture(4 * J, L, w2Packed);
    this.b2 = this.floatTexture(L, 1, pad(b2, 4 * L));
  }

  bindTarget(texture, p) {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    const buffers = [];
    for (let i = 0; i < this.group; ++i) {
      const layer = i < p.count ? texture : null;
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, layer, 0, p.base + i);
      buffers.push(i < p.count ? gl.COLOR_ATTACHMENT0 + i : gl.NONE);
    }
    gl.drawBuffers(buffers);
    gl.viewport(0, 0, this.width, this.height);
  }

  useTextures(p, textures) {
    const gl = this.gl;
    gl.useProgram(p.handle);
    let unit = 0;
    for (const [name, texture, target] of textures) {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(target, texture);
      gl.uniform1i(gl.getUniformLocation(p.handle, name), unit++);
    }
    gl.uniform2i(gl.getUniformLocation(p.handle, 'u_size'), this.width, this.height);
  }

  drawQuad() {
    this.gl.bindVertexArray(this.quad);
    this.gl.drawArrays(this.gl.TRIANGLE_STRIP, 0, 4);
  }

  // One NCA step; fireRate 1 makes every cell update (the mask of eqnca's comparison).
  step(fireRate = this.fireRate) {
    const gl = this.gl, A = gl.TEXTURE_2D_ARRAY, T = gl.TEXTURE_2D;
    for (const p of this.programs.update) {
      this.bindTarget(this.next, p);
      this.useTextures(p, [['u_state', this.state, A], ['u_w1', this.w1, T], ['u_b1', this.b1, T],
                           ['u_w2', this.w2, T], ['u_b2', this.b2, T]]);
      gl.uniform1f(gl.getUniformLocation(p.handle, 'u_fire_rate'), fireRate);
      gl.uniform1ui(gl.getUniformLocation(p.handle, 'u_seed'), (this.stepCount * 2654435761) >>> 0);
      this.drawQuad();
    }
    for (const p of this.programs.alive) {
      this.bindTarget(this.spare, p);
      this.useTextures(p, [['u_state', this.state, A], ['u_next', this.next, A]]);
      this.drawQuad();
    }
    [this.state, this.spare] = [this.spare, this.state];
    this.stepCount += 1;
  }

  bite(x, y, radius) {
    const gl = this.gl;
    for (const p of this.programs.bite) {
      this.bindTarget(this.spare, p);
      this.useTextures(p, [['u_state', this.state, gl.TEXTURE_2D_ARRAY]]);
      gl.uniform2f(gl.getUniformLocation(p.handle, 'u_center'), x, y);
      gl.uniform1f(gl.getUniformLocation(p.handle, 'u_radius'), radius);
      this.drawQuad();
    }
    [this.state, this.spare] = [this.spare, this.state];
  }

  // Empties the grid.
  clear() {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.state);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, 0, this.width, this.height, this.layers, gl.RGBA, gl.FLOAT,
                     new Float32Array(4 * this.width * this.height * this.layers));
    this.stepCount = 0;
  }

  // Writes one cell's fiber (C floats) at column x, row y.
  setCell(x, y, fiber) {
    const gl = this.gl, texels = new Float32Array(4 * this.layers);
    texels.set(fiber);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.state);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, x, y, 0, 1, 1, this.layers, gl.RGBA, gl.FLOAT, texels);
  }

  draw() {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, this.width, this.height);
    this.useTextures(this.drawProgram, [['u_state', this.state, gl.TEXTURE_2D_ARRAY]]);
    this.drawQuad();
  }

  // The state as (C, H, W) float32, eqnca's tensor layout (row 0 on top).
  read() {
    const gl = this.gl, W = this.width, H = this.height, C = this.channels;
    const texels = new Float32Array(4 * W * H), out = new Float32Array(C * H * W);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    for (let i = 1; i < this.group; ++i) gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, null, 0, 0);
    for (let l = 0; l < this.layers; ++l) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, this.state, 0, l);
      gl.readBuffer(gl.COLOR_ATTACHMENT0);
      gl.readPixels(0, 0, W, H, gl.RGBA, gl.FLOAT, texels);
      for (let k = 0; k < 4 && 4 * l + k < C; ++k) {
        for (let i = 0; i < W * H; ++i) out[(4 * l + k) * W * H + i] = texels[4 * i + k];
      }
    }
    return out;
  }

  // Throws on a pending GL error, so a broken pass cannot pass silently.
  checkErrors(what) {
    const e = this.gl.getError();
    if (e !== this.gl.NO_ERROR) throw new Error(`WebGL error 0x${e.toString(16)} after ${what}`);
  }
}

window.eqnca = {NcaGrid, decodeFloats, encodeFloats};
