import { ACCESS_LOG_FIELDS, type AccessLogField, type AccessLogRecord } from '../../lib/access-log-format';

/** The `$context` values the local gateway knows for one request (undefined = empty). */
export type ContextValues = Partial<
  Record<(typeof ACCESS_LOG_FIELDS)[AccessLogField], string | number | undefined>
>;

/**
 * Renders one access-log record in the stack's format: every field of `ACCESS_LOG_FIELDS`, each a
 * string, `-` when empty (as API Gateway prints an empty variable). Headers and tokens never appear
 * because the format has no variable for them.
 */
export function renderAccessLog(values: ContextValues): AccessLogRecord {
  const record = {} as AccessLogRecord;
  for (const [field, variable] of Object.entries(ACCESS_LOG_FIELDS) as [
    AccessLogField,
    (typeof ACCESS_LOG_FIELDS)[AccessLogField],
  ][]) {
    // eslint-disable-next-line security/detect-object-injection -- keys come from the fixed format
    const value = values[variable];
    // eslint-disable-next-line security/detect-object-injection -- keys come from the fixed format
    record[field] = value === undefined || value === '' ? '-' : String(value);
  }
  return record;
}
