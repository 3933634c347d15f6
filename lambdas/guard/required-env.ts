import { ConfigError } from '../shared/config/config-error';

/** An environment variable that must be set and non-empty; a ConfigError otherwise (fails the cold start). */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  // eslint-disable-next-line security/detect-object-injection -- names are constants of the env contract
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(name, [{ path: '', message: 'is missing or empty' }]);
  }
  return value;
}
