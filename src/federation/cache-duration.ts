import { SamlError } from '../errors/index.js';

// xs:duration (XML Schema Part 2 §3.2.6), non-negative: PnYnMnDTnHnMnS, at least one part, T only before a time part.
const duration =
  /^P(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?$/;

const day = 86_400_000;

/**
 * The milliseconds of a metadata `cacheDuration`. Years count as 365 days and
 * months as 30, as metadata consumers commonly do; a refresh schedule needs no
 * calendar. A negative or malformed duration is `SAML_METADATA_INVALID`.
 */
export function readCacheDuration(text: string): number {
  const match = text.length <= 64 ? duration.exec(text) : null;
  if (match === null || text === 'P' || text.endsWith('T')) {
    throw new SamlError('SAML_METADATA_INVALID', 'cacheDuration is not a non-negative xs:duration');
  }
  const [, years, months, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return (
    years! * 365 * day +
    months! * 30 * day +
    days! * day +
    hours! * 3_600_000 +
    minutes! * 60_000 +
    Math.round(seconds! * 1000)
  );
}
