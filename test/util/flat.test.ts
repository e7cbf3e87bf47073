import { flat } from '../../src/util/flat';

describe('flat', () => {
  test('returns the same text, whatever it was built from', () => {
    const parts = ['frontend', ' reaches ', 'api', ' on TCP/', String(8080)];
    const built = parts.reduce((text, part) => `${text}${part}`, '');
    expect(flat(built)).toBe('frontend reaches api on TCP/8080');
    expect(flat('')).toBe('');
  });
});
