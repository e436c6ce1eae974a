import { singularOf } from './names.js';

describe('feature-module names', () => {
  it('finds the singular of regular plurals', () => {
    const singulars = [
      'categories',
      'addresses',
      'boxes',
      'branches',
      'dishes',
      'purchases',
      'invoices',
      'purchase-orders',
    ].map(singularOf);
    expect(singulars).toEqual([
      'category',
      'address',
      'box',
      'branch',
      'dish',
      'purchase',
      'invoice',
      'purchase-order',
    ]);
  });

  it('asks for the singular when the name does not look plural', () => {
    expect(() => singularOf('people')).toThrow(/--singular/);
    expect(() => singularOf('glass')).toThrow(/--singular/);
  });
});
