'use strict';
// agent/alipay and agent/wechat against the vendors' documented project
// layouts: Alipay (app.json, app.js, pages/<p>.axml/.js/.acss,
// mini.project.json with format 2) and WeChat (app.json, app.js,
// pages/<p>.wxml/.js/.wxss, project.config.json with compileType
// miniprogram): every page app.json lists exists with its files, the
// templates use their vendor's directive prefix, each app loads a copy of
// agent.js identical to ../agent.js, and the app scripts are ES5.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const AGENT = path.join(__dirname, '..');
const acorn = require(path.join(AGENT, '..', 'adapters', 'node_modules', 'acorn'));

const VENDORS = {
  alipay: {
    project: 'mini.project.json',
    pageFiles: ['.axml', '.js', '.acss'],
    directive: 'a:',
    foreignDirective: 'wx:',
    checkProject: (p) => {
      assert.strictEqual(p.format, 2);
      assert.ok(['mini', undefined].includes(p.compileType));
    },
    global: 'my',
  },
  wechat: {
    project: 'project.config.json',
    pageFiles: ['.wxml', '.js', '.wxss'],
    directive: 'wx:',
    foreignDirective: 'a:',
    checkProject: (p) => {
      assert.strictEqual(p.compileType, 'miniprogram');
      assert.strictEqual(p.setting.urlCheck, false, 'the IDE must not check request domains (README)');
    },
    global: 'wx',
  },
};

for (const [vendor, layout] of Object.entries(VENDORS)) {
  const root = path.join(AGENT, vendor);
  const read = (file) => fs.readFileSync(path.join(root, file), 'utf8');

  test(`${vendor}: app.json lists pages that exist with every file the vendor needs`, () => {
    const app = JSON.parse(read('app.json'));
    assert.ok(Array.isArray(app.pages) && app.pages.length > 0, 'app.json needs "pages"');
    for (const page of app.pages) {
      assert.match(page, /^[\w/-]+$/, 'a page is a path without an extension');
      for (const ext of layout.pageFiles) assert.ok(fs.existsSync(path.join(root, page + ext)), `${page}${ext}`);
      const json = path.join(root, `${page}.json`);
      if (fs.existsSync(json)) JSON.parse(fs.readFileSync(json, 'utf8'));
      const template = read(page + layout.pageFiles[0]);
      assert.ok(!template.includes(layout.foreignDirective), `${page}: another vendor's directives`);
    }
    layout.checkProject(JSON.parse(read(layout.project)));
    assert.ok(fs.existsSync(path.join(root, 'app.js')));
  });

  test(`${vendor}: its agent.js is ../agent.js, and its scripts are ES5 on \`${layout.global}\``, () => {
    assert.strictEqual(read('agent.js'), fs.readFileSync(path.join(AGENT, 'agent.js'), 'utf8'),
      `agent/${vendor}/agent.js differs from agent/agent.js: copy it again`);
    const scripts = ['app.js', 'config.js'].concat(JSON.parse(read('app.json')).pages.map((p) => `${p}.js`));
    for (const file of scripts) acorn.parse(read(file), { ecmaVersion: 5, sourceType: 'script' });
    assert.match(read('app.js'), new RegExp(`platform: ${layout.global},`));
  });
}
