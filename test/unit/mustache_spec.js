'use strict';
const assert = require('node:assert/strict');

const { render, renderUrl, isTemplate } = require('../../dist/request/mustache');

describe('request/mustache', function () {
  const view = { payload: { name: 'Tom & <Jerry> "quoted" \'s', id: 'a/b?c#d', n: 42, nested: { x: 'é ü' } } };

  it('render does no HTML escaping', function () {
    assert.equal(render('{{payload.name}}', view), 'Tom & <Jerry> "quoted" \'s');
    assert.equal(render('{{{payload.name}}}', view), 'Tom & <Jerry> "quoted" \'s');
    assert.equal(render('id={{payload.id}} n={{payload.n}}', view), 'id=a/b?c#d n=42');
    assert.equal(render('{{payload.missing}}', view), '');
  });

  it('renderUrl encodes {{x}} as a URL component', function () {
    assert.equal(renderUrl('/accounts/{{payload.id}}', view), '/accounts/a%2Fb%3Fc%23d');
    assert.equal(renderUrl('/x/{{payload.name}}', view), `/x/${encodeURIComponent(view.payload.name)}`);
    assert.equal(renderUrl('/x/{{payload.nested.x}}', view), '/x/%C3%A9%20%C3%BC');
    assert.equal(renderUrl('/x/{{payload.n}}', view), '/x/42');
  });

  it('renderUrl leaves {{{x}}} (and {{&x}}) as written', function () {
    assert.equal(renderUrl('/x/{{{payload.id}}}', view), '/x/a/b?c#d');
    assert.equal(renderUrl('/x/{{&payload.id}}', view), '/x/a/b?c#d');
    assert.equal(renderUrl('{{{payload.id}}}/{{payload.id}}', view), 'a/b?c#d/a%2Fb%3Fc%23d');
  });

  it('the same template renders escaped for URLs and raw otherwise, in any order (no cache mix-up)', function () {
    const tpl = '/a/{{payload.id}}';
    for (let i = 0; i < 3; i++) {
      assert.equal(renderUrl(tpl, view), '/a/a%2Fb%3Fc%23d');
      assert.equal(render(tpl, view), '/a/a/b?c#d');
    }
  });

  it('does not touch the literal parts of a URL template', function () {
    assert.equal(
      renderUrl('https://acme.rest.vitally.io/resources/a b?q=1', view),
      'https://acme.rest.vitally.io/resources/a b?q=1',
    );
  });

  it('isTemplate spots mustache tags', function () {
    assert.equal(isTemplate('{{payload.id}}'), true);
    assert.equal(isTemplate('acc-1'), false);
  });
});
