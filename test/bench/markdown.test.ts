import { packageOf } from '../../bench/bundle';
import { formatCount, markdownTable } from '../../bench/markdown';

describe('bench markdown rendering', () => {
  it('renders a header, a right-aligned rule and one line per row', () => {
    expect(
      markdownTable(
        ['Name', 'Value'],
        [
          ['a', '1'],
          ['b', '2'],
        ],
      ).split('\n'),
    ).toEqual(['| Name | Value |', '| --- | ---: |', '| a | 1 |', '| b | 2 |']);
  });

  it('escapes pipes and line breaks inside cells', () => {
    expect(markdownTable(['x'], [['a|b\nc']])).toContain('| a\\|b c |');
  });

  it('error flow: a row with the wrong number of cells → RangeError', () => {
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(RangeError);
  });

  it('formats counts with thousands separators', () => {
    expect(formatCount(12345.6)).toBe('12,346');
  });

  it.each([
    ['/repo/node_modules/zod/v4/core/core.js', 'zod'],
    ['node_modules/@aws-lambda-powertools/logger/lib/cjs/Logger.js', '@aws-lambda-powertools/logger'],
    ['node_modules/a/node_modules/b/index.js', 'b'],
    ['lambdas/authorizer/handler.ts', '(project)'],
  ])('attributes bundle input %s to %s', (input, pkg) => {
    expect(packageOf(input)).toBe(pkg);
  });
});
