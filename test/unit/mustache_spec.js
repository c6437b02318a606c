'use strict';
const assert = require('node:assert/strict');

const { renderIds, renderShape, isTemplate } = require('../../dist/request/mustache');
const { RecordError } = require('../../dist/core/errors');
const { throwsWith } = require('./helpers');

describe('request/mustache', function () {
  const view = {
    payload: { name: 'Tom & <Jerry> "quoted" \'s', id: 'a/b?c#d', n: 42, zero: 0, nested: { x: 'é ü' } },
  };
  const url = (template, v = view) => renderIds(template, v, 'URL', encodeURIComponent);

  describe('renderIds', function () {
    it('does no HTML escaping', function () {
      assert.equal(renderIds('{{payload.name}}', view, 'x'), 'Tom & <Jerry> "quoted" \'s');
      assert.equal(renderIds('{{{payload.name}}}', view, 'x'), 'Tom & <Jerry> "quoted" \'s');
      assert.equal(renderIds('id={{payload.id}} n={{payload.n}}', view, 'x'), 'id=a/b?c#d n=42');
    });

    it('passes {{x}} through the encoder: a URL component in a manual URL', function () {
      assert.equal(url('/accounts/{{payload.id}}'), '/accounts/a%2Fb%3Fc%23d');
      assert.equal(url('/x/{{payload.name}}'), `/x/${encodeURIComponent(view.payload.name)}`);
      assert.equal(url('/x/{{payload.nested.x}}'), '/x/%C3%A9%20%C3%BC');
      assert.equal(url('/x/{{payload.n}}'), '/x/42');
    });

    it('leaves {{{x}}} (and {{&x}}) as written', function () {
      assert.equal(url('/x/{{{payload.id}}}'), '/x/a/b?c#d');
      assert.equal(url('/x/{{&payload.id}}'), '/x/a/b?c#d');
      assert.equal(url('{{{payload.id}}}/{{payload.id}}'), 'a/b?c#d/a%2Fb%3Fc%23d');
    });

    it('renders one template encoded and raw, in any order (no cache mix-up)', function () {
      const tpl = '/a/{{payload.id}}';
      for (let i = 0; i < 3; i++) {
        assert.equal(url(tpl), '/a/a%2Fb%3Fc%23d');
        assert.equal(renderIds(tpl, view, 'x'), '/a/a/b?c#d');
      }
    });

    it('does not touch the literal parts of a template', function () {
      assert.equal(
        url('https://acme.rest.vitally.io/resources/a b?q=1'),
        'https://acme.rest.vitally.io/resources/a b?q=1',
      );
    });

    it('takes finite numbers, 0 included, and non-blank strings', function () {
      assert.equal(renderIds('{{payload.zero}}', view, 'id'), '0');
      assert.equal(renderIds('{{payload.v}}', { payload: { v: -1.5 } }, 'id'), '-1.5');
      assert.equal(renderIds('{{payload.v}}', { payload: { v: ' x ' } }, 'id'), ' x ');
    });

    const refused = [
      [{ a: 1 }, 'object'],
      [['a'], 'an array'],
      [[], 'an array'],
      [true, 'boolean'],
      [false, 'boolean'],
      [null, 'null'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [undefined, 'missing'],
      ['', 'blank'],
      ['  \t', 'blank'],
    ];
    for (const [value, got] of refused) {
      const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'undefined');
      it(`refuses ${shown} as an id, in {{x}} and {{{x}}}, naming the tag (design.md section 5 "Ids")`, function () {
        const v = { payload: { v: value } };
        throwsWith(
          () => renderIds('/accounts/{{payload.v}}', v, 'URL', encodeURIComponent),
          RecordError,
          new RegExp(`^URL: \\{\\{payload\\.v\\}\\} is ${got.replace(/[+]/g, '\\+')}, not an id$`),
        );
        throwsWith(
          () => renderIds('/accounts/{{{payload.v}}}', v, 'URL'),
          RecordError,
          new RegExp(`\\{\\{\\{payload\\.v\\}\\}\\} is ${got}, not an id`),
        );
      });
    }

    it('says nothing before the tag when `what` is empty (a typedInput names itself)', function () {
      throwsWith(() => renderIds('{{payload.v}}', { payload: {} }, ''), RecordError, /^\{\{payload\.v\}\} is missing/);
    });

    it('refuses a missing value anywhere on its path, never rendering ""', function () {
      throwsWith(() => renderIds('{{a.b.c}}', {}, 'id'), RecordError, /is missing/);
      throwsWith(() => renderIds('{{a.b.c}}', { a: 'text' }, 'id'), RecordError, /is missing/);
    });

    it('refuses an object rendered inside a section', function () {
      throwsWith(
        () => renderIds('/accounts/{{#payload.v}}{{.}}{{/payload.v}}', { payload: { v: { a: 1 } } }, 'URL'),
        RecordError,
        /not an id/,
      );
    });
  });

  describe('renderShape', function () {
    it('shows where a template points before data fills it', function () {
      assert.equal(renderShape('/accounts/{{payload.id}}/notes'), '/accounts/x/notes');
      assert.equal(renderShape('{{{payload.url}}}/track'), 'x/track');
      assert.equal(renderShape('https://h/{{&a}}'), 'https://h/x');
      assert.equal(renderShape('/a/{{#p}}{{q}}{{/p}}/b'), '/a//b', 'sections render nothing');
      assert.equal(renderShape('/plain'), '/plain');
    });
  });

  it('isTemplate spots mustache tags', function () {
    assert.equal(isTemplate('{{payload.id}}'), true);
    assert.equal(isTemplate('acc-1'), false);
  });
});
