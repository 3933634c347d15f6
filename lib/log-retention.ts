import * as logs from 'aws-cdk-lib/aws-logs';

const BY_DAYS: ReadonlyMap<number, logs.RetentionDays> = new Map(
  Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number')
    .map((v) => [v as number, v]),
);

/** The CloudWatch Logs retention for a number of days (one of the values the config schema allows). */
export function retentionDays(days: number): logs.RetentionDays {
  const retention = BY_DAYS.get(days);
  if (retention === undefined) throw new RangeError(`${days} days is not a CloudWatch Logs retention period`);
  return retention;
}
