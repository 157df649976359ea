/**
 * JSON.parse for providers' webhook bodies whose ids are 64-bit integers (Shopify's order id 820982911946154508 is beyond
 * 2^53: JSON.parse would read it as ...500, and two orders could share an externalId). Integer literals of 16 digits or
 * more, outside strings, are read as their text; every other value as JSON.parse reads it.
 */
export function parseJsonKeepingLongIntegers(raw: string): unknown {
  let out = '';
  let copiedTo = 0;
  let inString = false;
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      let end = index + 1;
      while (end < raw.length && /[0-9eE.+-]/.test(raw[end])) end++;
      const literal = raw.slice(index, end);
      if (/^-?\d{16,}$/.test(literal)) {
        out += `${raw.slice(copiedTo, index)}"${literal}"`;
        copiedTo = end;
      }
      index = end - 1;
    }
  }
  return JSON.parse(copiedTo === 0 ? raw : out + raw.slice(copiedTo));
}
