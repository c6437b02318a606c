'use strict';
const assert = require('node:assert/strict');

const {
  CONFIG_SETTINGS,
  DESTINATION_SETTINGS,
  settingProblem,
  readSetting,
  baseUrlProblem,
  isFlagSet,
  ENV_REFERENCE,
  SUBDOMAIN_PATTERN,
} = require('../../dist/core/settings');
const { ConfigError } = require('../../dist/core/errors');
const { throwsWith } = require('./helpers');

const number = (extra = {}) => ({
  kind: 'number',
  label: 'speed',
  default: 5,
  min: 1,
  max: 10,
  integer: true,
  ...extra,
});
const choice = { kind: 'choice', label: 'colour', default: 'red', options: ['red', 'green'] };
const flag = { kind: 'flag', label: 'loud', default: false };
const text = (extra = {}) => ({ kind: 'text', label: 'name', default: 'anon', ...extra });

describe('core/settings', function () {
  describe('settingProblem', function () {
    it('blank (undefined, null, "" or spaces) is fine: the default applies', function () {
      for (const spec of [number(), choice, flag, text()]) {
        for (const blank of [undefined, null, '', '   ']) assert.equal(settingProblem(spec, blank), undefined);
      }
    });

    describe('number', function () {
      it('takes numbers and numeric strings in range', function () {
        for (const ok of [1, 10, '7', ' 3 ', '1.0']) assert.equal(settingProblem(number(), ok), undefined, String(ok));
      });

      it('names the range, the unit and the value it refuses', function () {
        assert.equal(settingProblem(number(), 11), 'speed must be a whole number from 1 to 10, not "11"');
        assert.equal(
          settingProblem(number({ integer: false, unit: 's' }), '0'),
          'speed must be a number from 1 to 10 (s), not "0"',
        );
        for (const bad of [0, -1, '2.5', 2.5, 'ten', NaN, Infinity, '1e400', true, {}, []]) {
          assert.match(settingProblem(number(), bad) ?? '', /^speed must be a whole number from 1 to 10/, String(bad));
        }
      });

      it('a non-integer spec takes fractions', function () {
        assert.equal(settingProblem(number({ integer: false }), '2.5'), undefined);
      });
    });

    it('choice: one of the options, exactly', function () {
      assert.equal(settingProblem(choice, 'green'), undefined);
      assert.equal(settingProblem(choice, 'GREEN'), 'colour must be one of red, green, not "GREEN"');
      assert.equal(settingProblem(choice, 7), 'colour must be one of red, green, not "7"');
    });

    it('flag: a boolean or the strings "true" and "false"', function () {
      for (const ok of [true, false, 'true', 'false']) assert.equal(settingProblem(flag, ok), undefined);
      for (const bad of ['yes', 1, 'TRUE']) assert.equal(settingProblem(flag, bad), 'loud must be true or false');
    });

    describe('text', function () {
      it('must be a string, and passes its check', function () {
        assert.equal(settingProblem(text(), 'x'), undefined);
        assert.equal(settingProblem(text(), 42), 'name must be text');
        const checked = text({ check: (v) => (v === 'bad' ? 'name is bad' : undefined) });
        assert.equal(settingProblem(checked, 'bad'), 'name is bad');
        assert.equal(settingProblem(checked, 'good'), undefined);
      });

      it('required text may not be blank', function () {
        for (const blank of [undefined, null, '', '  ']) {
          assert.equal(settingProblem(text({ required: true }), blank), 'name is required');
        }
      });
    });

    it('`when`: a setting that does not apply is not checked, however wrong', function () {
      const spec = number({ when: (s) => s.enabled === true });
      assert.equal(settingProblem(spec, 'nonsense', { enabled: false }), undefined);
      assert.equal(settingProblem(spec, 'nonsense', {}), undefined);
      assert.match(settingProblem(spec, 'nonsense', { enabled: true }), /speed must be/);
      const required = text({ required: true, when: (s) => s.on });
      assert.equal(settingProblem(required, '', { on: false }), undefined);
      assert.equal(settingProblem(required, '', { on: true }), 'name is required');
    });
  });

  describe('readSetting', function () {
    const specs = { speed: number(), colour: choice, loud: flag, name: text(), ratio: number({ integer: false }) };

    it('returns the default for a blank value', function () {
      for (const blank of [{}, { speed: '', colour: ' ', loud: null, name: '  ' }]) {
        assert.equal(readSetting(specs, 'speed', blank), 5);
        assert.equal(readSetting(specs, 'colour', blank), 'red');
        assert.equal(readSetting(specs, 'loud', blank), false);
        assert.equal(readSetting(specs, 'name', blank), 'anon');
      }
    });

    it('converts what the editor saves: numbers from strings, flags from "true", text trimmed', function () {
      const s = { speed: ' 7 ', colour: 'green', loud: 'true', name: '  Ana  ', ratio: '2.5' };
      assert.strictEqual(readSetting(specs, 'speed', s), 7);
      assert.strictEqual(readSetting(specs, 'ratio', s), 2.5);
      assert.strictEqual(readSetting(specs, 'colour', s), 'green');
      assert.strictEqual(readSetting(specs, 'loud', s), true);
      assert.strictEqual(readSetting(specs, 'loud', { loud: 'false' }), false);
      assert.strictEqual(readSetting(specs, 'loud', { loud: false }), false);
      assert.strictEqual(readSetting(specs, 'name', s), 'Ana');
    });

    it('throws a ConfigError naming the problem', function () {
      throwsWith(() => readSetting(specs, 'speed', { speed: '0' }), ConfigError, /^speed must be a whole number/);
      throwsWith(() => readSetting(specs, 'colour', { colour: 'blue' }), ConfigError, /^colour must be one of/);
      throwsWith(() => readSetting(specs, 'loud', { loud: 'maybe' }), ConfigError, /^loud must be true or false$/);
    });
  });

  describe('the config node (design.md section 3)', function () {
    const read = (name, s) => readSetting(CONFIG_SETTINGS, name, s);

    it('defaults: region us, 1000 per 60 s, concurrency 4, timeout 30 s, maxPause 300 s, local budget', function () {
      assert.equal(read('region', {}), 'us');
      assert.equal(read('rateLimit', {}), 1000);
      assert.equal(read('rateWindow', {}), 60);
      assert.equal(read('concurrency', {}), 4);
      assert.equal(read('timeout', {}), 30);
      assert.equal(read('maxPause', {}), 300);
      assert.equal(read('budget', {}), 'local');
      assert.equal(read('redisPrefix', { budget: 'redis' }), 'vitally:');
    });

    it('the subdomain is required and checked for region us only', function () {
      throwsWith(() => read('subdomain', { region: 'us' }), ConfigError, /subdomain is required/);
      throwsWith(() => read('subdomain', {}), ConfigError, /subdomain is required/);
      for (const bad of ['acme.evil', '-acme', 'acme-', 'a b', 'acme/x', 'a'.repeat(64), 'acme@x']) {
        throwsWith(() => read('subdomain', { subdomain: bad }), ConfigError, /is not a valid Vitally subdomain/);
      }
      assert.equal(read('subdomain', { subdomain: ' Acme-1 ' }), 'Acme-1');
      assert.equal(read('subdomain', { region: 'eu', subdomain: 'not valid!' }), 'not valid!', 'not checked for eu');
      assert.equal(settingProblem(CONFIG_SETTINGS.subdomain, '', { region: 'custom' }), undefined);
    });

    it('the base URL is required and checked for region custom only', function () {
      throwsWith(() => read('baseUrl', { region: 'custom' }), ConfigError, /base URL is required/);
      throwsWith(
        () => read('baseUrl', { region: 'custom', baseUrl: 'http://h/x' }),
        ConfigError,
        /must be http\(s\):\/\/host\[:port\]/,
      );
      assert.equal(read('baseUrl', { region: 'custom', baseUrl: 'http://127.0.0.1:4010' }), 'http://127.0.0.1:4010');
      assert.equal(settingProblem(CONFIG_SETTINGS.baseUrl, 'junk', { region: 'us' }), undefined);
    });

    it('the Redis prefix is checked only with budget redis', function () {
      throwsWith(() => read('redisPrefix', { budget: 'redis', redisPrefix: 'a b' }), ConfigError, /Redis key prefix/);
      throwsWith(
        () => read('redisPrefix', { budget: 'redis', redisPrefix: 'x'.repeat(65) }),
        ConfigError,
        /at most 64/,
      );
      assert.equal(read('redisPrefix', { budget: 'redis', redisPrefix: 'team-a:vitally.' }), 'team-a:vitally.');
      assert.equal(settingProblem(CONFIG_SETTINGS.redisPrefix, 'a b', { budget: 'local' }), undefined);
    });

    it('ranges: rate limit a whole number, window and timeouts in seconds with fractions', function () {
      throwsWith(() => read('rateLimit', { rateLimit: '0' }), ConfigError, /rate limit must be a whole number from 1/);
      throwsWith(() => read('rateLimit', { rateLimit: '1.5' }), ConfigError, /rate limit/);
      assert.equal(read('rateWindow', { rateWindow: '0.5' }), 0.5);
      throwsWith(
        () => read('concurrency', { concurrency: '101' }),
        ConfigError,
        /concurrency must be .* from 1 to 100/,
      );
      throwsWith(() => read('maxPause', { maxPause: '86401' }), ConfigError, /maximum pause must be a number/);
      throwsWith(() => read('timeout', { timeout: '-1' }), ConfigError, /timeout/);
      throwsWith(() => read('budget', { budget: 'memcached' }), ConfigError, /rate budget must be one of local, redis/);
      throwsWith(() => read('region', { region: 'apac' }), ConfigError, /region must be one of us, eu, custom/);
    });
  });

  describe('the destination node (design.md section 4)', function () {
    const read = (name, s) => readSetting(DESTINATION_SETTINGS, name, s);

    it('batch settings apply only with batching on', function () {
      assert.equal(settingProblem(DESTINATION_SETTINGS.batchSize, '500', { batch: false }), undefined);
      assert.match(settingProblem(DESTINATION_SETTINGS.batchSize, '500', { batch: 'true' }), /from 1 to 100/);
      assert.equal(settingProblem(DESTINATION_SETTINGS.batchTimeout, 'soon', {}), undefined);
      assert.equal(read('batchSize', { batch: true }), 100);
      assert.equal(read('batchTimeout', { batch: true }), 1000);
    });

    it('the group field is required only when batching groups by field', function () {
      const spec = DESTINATION_SETTINGS.groupField;
      assert.equal(settingProblem(spec, '', { batch: true, grouping: 'count' }), undefined);
      assert.equal(settingProblem(spec, '', { batch: false, grouping: 'field' }), undefined);
      assert.equal(settingProblem(spec, '', { batch: true, grouping: 'field' }), 'group field is required');
    });

    it('defaults for reads, retries and relationship ids', function () {
      assert.equal(read('maxRecords', {}), 1000);
      assert.equal(read('retries', {}), 5);
      assert.equal(read('retryMaxDelay', {}), 60);
      assert.equal(read('relationshipIds', {}), 'vitally');
      assert.equal(read('method', {}), 'POST');
      for (const f of ['dryRun', 'confirmDelete', 'batch', 'split']) assert.equal(read(f, {}), false, f);
    });
  });

  describe('helpers', function () {
    it('baseUrlProblem accepts an http(s) origin only', function () {
      for (const ok of ['http://127.0.0.1:4010', 'https://vitally.example.com/', ' https://h ']) {
        assert.equal(baseUrlProblem(ok), undefined, ok);
      }
      for (const bad of ['ftp://h', 'https://h/path', 'https://h?x=1', 'https://h#f', 'https://u:p@h', 'https://h/?']) {
        assert.match(baseUrlProblem(bad), /must be http\(s\):\/\/host\[:port\]/, bad);
      }
      assert.match(baseUrlProblem('not a url'), /is not an absolute URL/);
    });

    it('isFlagSet is true for true and "true" only', function () {
      assert.equal(isFlagSet(true), true);
      assert.equal(isFlagSet('true'), true);
      for (const v of [false, 'false', 1, 'yes', undefined]) assert.equal(isFlagSet(v), false);
    });

    it('ENV_REFERENCE matches ${NAME}, the form Node-RED substitutes', function () {
      assert.ok(ENV_REFERENCE.test('${VITALLY_SUBDOMAIN}'));
      assert.ok(ENV_REFERENCE.test('${_x1}'));
      for (const no of ['$VITALLY', '${1X}', '${A-B}', 'x${A}', '${A}x', '${}']) assert.ok(!ENV_REFERENCE.test(no), no);
    });

    it('SUBDOMAIN_PATTERN is the design pattern, case-insensitive', function () {
      for (const ok of ['acme', 'ACME', 'a', 'a-b-c', '0acme9', 'a'.repeat(63)])
        assert.ok(SUBDOMAIN_PATTERN.test(ok), ok);
      for (const no of ['', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64)]) assert.ok(!SUBDOMAIN_PATTERN.test(no), no);
    });
  });
});
