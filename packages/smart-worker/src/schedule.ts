import { CronExpressionParser } from 'cron-parser';

import { SmartWorkerError } from './errors.js';

/**
 * Validates a cron schedule and returns it normalised. Escrin accepts only `*\/5 * * * *`; we accept any standard
 * 5-field cron, a 6-field cron whose first field is seconds, or an @-macro (@hourly …), evaluated in UTC.
 * One pair of surrounding double quotes is stripped: the seed docs' `-F 'schedule="*\/5 * * * *"'` is unquoted by
 * curl, but clients that copy the value literally send the quotes.
 */
export function parseSchedule(raw: string): string {
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  const schedule = unquoted.trim().replace(/\s+/g, ' ');
  const fields = schedule.split(' ').length;
  const macro = schedule.startsWith('@');
  if (macro ? fields !== 1 : fields !== 5 && fields !== 6) throw unsupported();
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
  } catch {
    throw unsupported();
  }
  return schedule;
}

/** First fire time strictly after `afterMs`. */
export function nextRunAfter(schedule: string, afterMs: number): number {
  return CronExpressionParser.parse(schedule, { currentDate: new Date(afterMs), tz: 'UTC' }).next().getTime();
}

const unsupported = () => new SmartWorkerError('ERR_INVALID_REQUEST', 'unsupported schedule');
