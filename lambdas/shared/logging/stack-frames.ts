/**
 * Where an error came from, without what it says: the `at …` lines of its stack, never its first
 * line(s) (`Name: message`), because messages can quote input (a JSON parse error quotes the text
 * it could not parse, which may come from a token). For the log line of a fail-closed internal error.
 */
export function stackFrames(error: unknown, max = 10): string[] | undefined {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
  // The header is `Name: message`: as many lines as the message, which may span several.
  const headerLines = typeof error.message === 'string' ? error.message.split('\n').length : 1;
  const frames = error.stack
    .split('\n')
    .slice(headerLines)
    .filter((line) => line.startsWith('    at '))
    .slice(0, max)
    .map((line) => line.trimStart());
  return frames.length > 0 ? frames : undefined;
}
