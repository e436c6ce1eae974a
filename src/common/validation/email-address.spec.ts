import { isPlainAddress, normalizeEmail } from './email-address.js';

describe('normalizeEmail', () => {
  it.each([
    ['Alice@Example.COM', 'alice@example.com'],
    ['\uff41lice@example.com', 'alice@example.com'],
    ['ALİCE@example.com', 'ali\u0307ce@example.com'],
    ['\u212bngstr\u00f6m@example.com', '\u00e5ngstr\u00f6m@example.com'],
  ])('folds %j into %j', (given, expected) => {
    expect(normalizeEmail(given)).toBe(expected);
  });
});

describe('isPlainAddress', () => {
  it.each(['user@example.com', 'first.last+tag@sub.example.org', "o'brien@example.com", 'ünïcode@example.com'])(
    'accepts %j',
    (address) => {
      expect(isPlainAddress(address)).toBe(true);
    },
  );

  it.each([
    'x<victim@t.example>',
    '"x"<v@t.example>',
    'grp:v@t.example;',
    '"quoted"@example.com',
    'a@[127.0.0.1]',
    'a@localhost',
    'two@at@example.com',
    'space @example.com',
    'x\uff1cv@t.example',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses %j', (address) => {
    expect(isPlainAddress(address)).toBe(false);
  });
});
