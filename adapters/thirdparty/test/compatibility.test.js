'use strict';
// The matrix's grouping of failures: a first difference loses the scenario's
// own names, so one defect seen in many scenarios is one group.

const test = require('node:test');
const assert = require('node:assert/strict');
const { normaliseDifference, failureGroups, observedOptions } = require('../compatibility');

test('call, task, listener and connection names are replaced; keys of the trace are kept', () => {
  assert.equal(normaliseDifference('-  - c3: returned / -  - c3.success: {}'), '- - <call>: returned / - - <call>.success: {}');
  assert.equal(normaliseDifference('+  my: / +  - connect1.success (sync): {}'), '+ my: / + - <call>.success (sync): {}');
  assert.equal(normaliseDifference('-  - t1.open@O1: {} / +  - t2.close@C: {}'), '- - t<n>.open@<L>: {} / + - t<n>.close@<L>: {}');
  assert.equal(normaliseDifference('-  conn1: / -  - handshake:'), '- conn<n>: / - - handshake:');
  assert.equal(normaliseDifference('-  - c1.fail: / -      error: 10'), '- - <call>.fail: / - error: 10');
  assert.equal(normaliseDifference('-  - response: 101'), '- - response: 101');
});

test('failures are grouped by normalised difference, largest group first; passes and not-applicable are left out', () => {
  const report = {
    scenarios: [
      { id: 'a::1', status: 'fail', firstDifference: '-  - c3: returned / -  - c3.success: {}' },
      { id: 'a::2', status: 'fail', firstDifference: '-  - c2: returned / -  - c2.success: {}' },
      { id: 'a::3', status: 'error', firstDifference: null, message: 'the adapter does not start: hello refused\nmore' },
      { id: 'a::4', status: 'pass', firstDifference: null },
      { id: 'a::5', status: 'notApplicable', firstDifference: null, message: 'the adapter cannot honour config maxTasks' },
    ],
  };
  const groups = failureGroups(report);
  assert.deepEqual(groups.map((g) => [g.key, g.scenarios.map((s) => s.id)]), [
    ['- - <call>: returned / - - <call>.success: {}', ['a::1', 'a::2']],
    ['the adapter does not start: hello refused', ['a::3']],
  ]);
});

test('observed options name each rule with its option, two options marked, the rest counted', () => {
  const report = {
    profile: [
      { rule: 'connect.outcome', observed: [{ option: 'accepted', scenarios: ['x'] }] },
      { rule: 'close.drop-error', observed: [{ option: 'fired', scenarios: ['y'] }, { option: 'silent', scenarios: ['z'] }] },
      { rule: 'error.9.code', observed: [] },
    ],
  };
  const { shown, notObserved, total } = observedOptions(report);
  assert.deepEqual(shown, ['`connect.outcome=accepted`', '`close.drop-error=fired and silent` (**two options**)']);
  assert.equal(notObserved, 1);
  assert.equal(total, 3);
});

test('signals count timed-out awaits, callbacks inside their call and refused calls, from failures only', () => {
  const report = {
    scenarios: [
      { status: 'fail', message: 'step 4: await c3.complete, my.open: not seen within 5000 ms; client lane so far: …', trace: { client: { my: [{ 'c3.success (sync)': {} }] } } },
      { status: 'fail', message: 'step 5: the adapter refused call `c5`: the method threw: TypeError', trace: null },
      { status: 'pass', message: 'not seen within 5000 ms', trace: { client: { my: [{ 'c1.success': {} }] } } },
    ],
  };
  const { signals } = require('../compatibility');
  assert.deepEqual(signals(report), { timedOut: 1, syncCallback: 1, callRefused: 1 });
});

test("a report's own rootCauses and options are used when it has them", () => {
  const report = {
    profile: 'wechat',
    options: [{ rule: 'connect.outcome', observed: [{ option: 'accepted', scenarios: ['x'] }] }],
    rootCauses: [
      { cause: 'await my.open: not seen within N ms', scenarios: ['a::1', 'a::2'] },
      { cause: '+ - <call>.success (sync):', scenarios: ['a::3'] },
    ],
    scenarios: [
      { id: 'a::1', status: 'fail', message: 'step 3: await my.open: not seen within 5000 ms' },
      { id: 'a::2', status: 'fail', message: 'step 4: await my.open: not seen within 5000 ms' },
      { id: 'a::3', status: 'fail', firstDifference: 'something else' },
    ],
  };
  assert.deepEqual(failureGroups(report).map((g) => [g.key, g.scenarios.map((s) => s.id)]), [
    ['await my.open: not seen within N ms', ['a::1', 'a::2']],
    ['+ - <call>.success (sync):', ['a::3']],
  ]);
  assert.equal(failureGroups(report)[0].scenarios[0].message, 'step 3: await my.open: not seen within 5000 ms');
  assert.deepEqual(observedOptions(report).shown, ['`connect.outcome=accepted`']);
});
